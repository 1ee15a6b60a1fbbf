package mail

// AccessRequestReceived is the data of "access_request_received", the
// receipt for a CareConnect access request.
type AccessRequestReceived struct {
	Common
	StatusURL string
}
