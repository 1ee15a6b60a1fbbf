package portal

import "time"

// Session is a server-side session row. The browser holds a random token;
// the database keeps only its SHA-256 (IDHash), so a leaked table cannot be
// replayed as cookies.
type Session struct {
	IDHash     string
	AccountID  AccountID // 0 before the person has an account
	StaffID    StaffID   // set for a CareConnect team member's session
	Data       string    // JSON, owned by the web layer
	CreatedAt  time.Time
	LastSeenAt time.Time
	ExpiresAt  time.Time // absolute expiry
}
