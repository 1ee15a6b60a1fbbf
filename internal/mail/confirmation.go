package mail

// Confirmation is how a recipient confirms that an email address is theirs:
// a single-use link, or a short code typed on Manage My Account. Both stop
// working at ExpiresAt or once used.
type Confirmation struct {
	Email     string // the address being confirmed
	URL       string // the link; it asks the person to sign in first
	Code      string // the digits to type instead
	ExpiresAt string // already formatted for reading, with its time zone
}

// EmailConfirmation is the data of "email_confirmation", sent when a
// person asks for the confirmation of their address again.
type EmailConfirmation struct {
	Common
	Confirm Confirmation
}
