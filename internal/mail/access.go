package mail

// AccessRequestReceived is the data of "access_request_received", the
// receipt for a CareConnect access request.
type AccessRequestReceived struct {
	Common
	StatusURL string
}

// RemoteAccessDecided is the data of "remote_access_decided".
type RemoteAccessDecided struct {
	Common
	Approved bool
	Reason   string
	Address  string
}
