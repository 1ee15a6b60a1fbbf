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

// AccessNoWorksite is the data of "access_no_worksite", sent when a
// person's CareConnect access is suspended because they no longer belong
// to an approved worksite.
type AccessNoWorksite struct {
	Common
	WorksiteName string // the worksite whose membership ended last
	OnBehalfOf   bool   // the person works on behalf of an authorizer
	JoinURL      string
	StatusURL    string
}
