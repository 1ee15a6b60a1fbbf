package store

import (
	"context"
	"strings"
	"time"

	portal "github.com/bcgov-example/careconnect-portal"
)

const worksiteColumns = `w.id, w.code, w.name, w.type, w.phone, COALESCE(w.address_id, 0), w.unit,
	w.civic_number, w.street_name,
	w.street_type, w.direction, w.city, w.province, w.postal_code, w.address_verified, w.health_authority,
	COALESCE(w.group_id, 0), COALESCE(g.name, ''), w.status, w.signer_name, w.signer_email,
		COALESCE(w.signer_account_id, 0),
	w.declaration_version, w.declaration_signed_at, w.declined_reason, w.registered_by, w.created_at, w.approved_at`

const worksiteFrom = ` FROM worksites w LEFT JOIN worksite_groups g ON g.id = w.group_id`

func scanWorksite(r rowScanner) (*portal.Worksite, error) {
	var w portal.Worksite
	var code, typ, ha string
	var signed, created, approved int64
	err := r.Scan(
		&w.ID,
		&code,
		&w.Name,
		&typ,
		&w.Phone,
		&w.AddressID,
		&w.Address.Unit,
		&w.Address.CivicNumber,
		&w.Address.StreetName,
		&w.Address.StreetType,
		&w.Address.Direction,
		&w.Address.City,
		&w.Address.Province,
		&w.Address.PostalCode,
		&w.AddressVerified,
		&ha,
		&w.GroupID,
		&w.GroupName,
		&w.Status,
		&w.SignerName,
		&w.SignerEmail,
		&w.SignerAccountID,
		&w.DeclarationVersion,
		&signed,
		&w.DeclinedReason,
		&w.RegisteredBy,
		&created,
		&approved,
	)
	if err != nil {
		return nil, mapError(err)
	}
	w.Code, w.Type, w.HealthAuthority = portal.WorksiteCode(code), portal.WorksiteType(typ), portal.HealthAuthority(ha)
	w.Address.ID = w.AddressID
	w.DeclarationSigned, w.CreatedAt, w.ApprovedAt = fromMS(signed), fromMS(created), fromMS(approved)
	return &w, nil
}

// CreateWorksite inserts a worksite. A taken code or address gives a
// *ConflictError naming worksites_code_key or worksites_address_key.
func (tx *Tx) CreateWorksite(ctx context.Context, w *portal.Worksite, signerTokenHash string) error {
	a := w.Address
	id, err := tx.Insert(
		ctx,
		`INSERT INTO worksites (code, name, type, phone, address_id, address_key, unit, civic_number,
		street_name, street_type, direction, city, province, postal_code, address_verified, health_authority, group_id,
		status, signer_name, signer_email, signer_token_hash, registered_by, created_at)
		VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
		string(w.Code),
		w.Name,
		string(w.Type),
		w.Phone,
		idArg(w.AddressID),
		a.Key(),
		a.Unit,
		a.CivicNumber,
		a.StreetName,
		a.StreetType,
		a.Direction,
		a.City,
		a.Province,
		a.PostalCode,
		w.AddressVerified,
		string(w.HealthAuthority),
		idArg(w.GroupID),
		w.Status,
		w.SignerName,
		w.SignerEmail,
		signerTokenHash,
		int64(w.RegisteredBy),
		ms(w.CreatedAt),
	)
	if err != nil {
		return err
	}
	w.ID = portal.WorksiteID(id)
	return nil
}

// FindWorksiteByID returns a worksite.
func (q Q) FindWorksiteByID(ctx context.Context, id portal.WorksiteID) (*portal.Worksite, error) {
	return scanWorksite(q.QueryRow(ctx, "SELECT "+worksiteColumns+worksiteFrom+" WHERE w.id = ?", int64(id)))
}

// FindWorksiteByIDForUpdate returns a worksite, locked on PostgreSQL.
func (tx *Tx) FindWorksiteByIDForUpdate(ctx context.Context, id portal.WorksiteID) (*portal.Worksite, error) {
	if tx.dialect == Postgres {
		if _, err := tx.Exec(ctx, "SELECT id FROM worksites WHERE id = ? FOR UPDATE", int64(id)); err != nil {
			return nil, err
		}
	}
	return tx.FindWorksiteByID(ctx, id)
}

// FindWorksiteByCode returns the worksite with a Worksite ID.
func (q Q) FindWorksiteByCode(ctx context.Context, code portal.WorksiteCode) (*portal.Worksite, error) {
	return scanWorksite(q.QueryRow(ctx, "SELECT "+worksiteColumns+worksiteFrom+" WHERE w.code = ?", string(code)))
}

// FindWorksiteByAddress returns the worksite registered at an address and unit.
func (q Q) FindWorksiteByAddress(ctx context.Context, a portal.Address) (*portal.Worksite, error) {
	return scanWorksite(q.QueryRow(ctx, "SELECT "+worksiteColumns+worksiteFrom+" WHERE w.address_key = ?", a.Key()))
}

// FindWorksiteBySignerToken returns the worksite whose declaration link carries this token hash.
func (q Q) FindWorksiteBySignerToken(ctx context.Context, tokenHash string) (*portal.Worksite, error) {
	return scanWorksite(q.QueryRow(ctx,
		"SELECT "+worksiteColumns+worksiteFrom+" "+
			"WHERE w.signer_token_hash = ? AND w.signer_token_hash <> ''", tokenHash))
}

// WorksiteFilter selects worksites.
type WorksiteFilter struct {
	Status       string
	GroupID      portal.GroupID
	RegisteredBy portal.AccountID
	Limit        int
}

// FindWorksites lists worksites, oldest first.
func (q Q) FindWorksites(ctx context.Context, f WorksiteFilter) ([]*portal.Worksite, error) {
	query := "SELECT " + worksiteColumns + worksiteFrom + " WHERE 1=1"
	var args []any
	if f.Status != "" {
		query += " AND w.status = ?"
		args = append(args, f.Status)
	}
	if f.GroupID != 0 {
		query += " AND w.group_id = ?"
		args = append(args, int64(f.GroupID))
	}
	if f.RegisteredBy != 0 {
		query += " AND w.registered_by = ?"
		args = append(args, int64(f.RegisteredBy))
	}
	query += " ORDER BY w.created_at, w.id"
	if f.Limit > 0 {
		query += " LIMIT ?"
		args = append(args, f.Limit)
	}
	return q.worksites(ctx, query, args...)
}

func (q Q) worksites(ctx context.Context, query string, args ...any) ([]*portal.Worksite, error) {
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanWorksite)
}

// SignDeclaration records the Worksite Privacy & Security Declaration; via
// says how the signer showed the address it was meant for was theirs
// (portal.GrantViaLink or portal.GrantViaConfirmedAddress).
func (tx *Tx) SignDeclaration(ctx context.Context, id portal.WorksiteID, signer portal.AccountID, version,
	via string, now time.Time) error {
	_, err := tx.Exec(ctx,
		`UPDATE worksites SET signer_account_id = ?, declaration_version = ?, declaration_signed_at = ?,
		signer_token_hash = '', signed_via = ? WHERE id = ?`, int64(signer), version, ms(now), via, int64(id))
	return err
}

// SetWorksiteStatus records the CareConnect team's decision on a pending
// worksite; it reports false when the worksite was no longer pending, so of
// two decisions at once exactly one stands.
func (tx *Tx) SetWorksiteStatus(ctx context.Context, id portal.WorksiteID, status, reason string,
	now time.Time) (bool, error) {
	approved := int64(0)
	if status == portal.WorksiteApproved {
		approved = ms(now)
	}
	return tx.changed(ctx,
		"UPDATE worksites SET status = ?, declined_reason = ?, approved_at = ? WHERE id = ? AND status = 'pending'",
		status, reason, approved, int64(id))
}

// VerifyWorksiteAddress marks a hand-typed address as checked.
func (tx *Tx) VerifyWorksiteAddress(ctx context.Context, id portal.WorksiteID) error {
	_, err := tx.Exec(ctx, "UPDATE worksites SET address_verified = ? WHERE id = ?", true, int64(id))
	return err
}

// CreateGroup inserts an organisation and makes its creator a group administrator.
func (tx *Tx) CreateGroup(ctx context.Context, name string, by portal.AccountID,
	now time.Time) (portal.GroupID, error) {
	id, err := tx.Insert(ctx,
		"INSERT INTO worksite_groups (name, created_by, created_at) VALUES (?, ?, ?)", name, int64(by), ms(now))
	if err != nil {
		return 0, err
	}
	_, err = tx.Exec(ctx,
		"INSERT INTO group_admins (group_id, account_id, added_at) VALUES (?, ?, ?)", id, int64(by), ms(now))
	return portal.GroupID(id), err
}

// Group is portal.Group, as the store reads and writes it.
type Group = portal.Group

// FindAdministeredGroups lists the groups an account administers.
func (q Q) FindAdministeredGroups(ctx context.Context, id portal.AccountID) ([]Group, error) {
	rows, err := q.Query(ctx, `SELECT g.id, g.name FROM worksite_groups g JOIN group_admins a ON a.group_id = g.id
		WHERE a.account_id = ? ORDER BY g.name`, int64(id))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Group
	for rows.Next() {
		var g Group
		if err := rows.Scan(&g.ID, &g.Name); err != nil {
			return nil, err
		}
		out = append(out, g)
	}
	return out, rows.Err()
}

// IsGroupAdmin reports whether an account administers a group.
func (q Q) IsGroupAdmin(ctx context.Context, g portal.GroupID, id portal.AccountID) (bool, error) {
	if g == 0 {
		return false, nil
	}
	var n int
	err := q.QueryRow(ctx, "SELECT COUNT(*) FROM group_admins WHERE group_id = ? AND account_id = ?",
		int64(g), int64(id)).Scan(&n)
	return n > 0, err
}

// FindWorksitesAwaitingDeclaration lists worksites whose declaration is
// waiting for the person with this email address.
func (q Q) FindWorksitesAwaitingDeclaration(ctx context.Context, email string) ([]*portal.Worksite, error) {
	return q.worksites(ctx, "SELECT "+worksiteColumns+worksiteFrom+
		" WHERE LOWER(w.signer_email) = ? AND w.declaration_signed_at = 0 AND w.status = 'pending' "+
		"ORDER BY w.created_at", portal.EmailKey(email))
}

// FindWorksiteNamesAtAddresses names the worksite registered at each of
// the address keys given, if any, leaving out declined worksites: the
// address type-ahead marks the units already taken.
func (q Q) FindWorksiteNamesAtAddresses(ctx context.Context, keys []string) (map[string]string, error) {
	out := map[string]string{}
	if len(keys) == 0 {
		return out, nil
	}
	args := make([]any, len(keys))
	for i, k := range keys {
		args[i] = k
	}
	rows, err := q.Query(ctx, "SELECT address_key, name FROM worksites WHERE status <> ? AND address_key IN ("+
		strings.TrimSuffix(strings.Repeat("?,", len(keys)),
			",")+")", append([]any{portal.WorksiteDeclined}, args...)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var key, name string
		if err := rows.Scan(&key, &name); err != nil {
			return nil, err
		}
		out[key] = name
	}
	return out, rows.Err()
}

// ResignDeclaration records a new Worksite Privacy & Security Declaration
// by a new signer, who takes the worksite over from the one before.
func (tx *Tx) ResignDeclaration(ctx context.Context, ws portal.WorksiteID, signer *portal.Account, version,
	via string, now time.Time) error {
	_, err := tx.Exec(ctx,
		`UPDATE worksites SET signer_name = ?, signer_email = ?, signer_account_id = ?, declaration_version = ?,
		declaration_signed_at = ?, signer_token_hash = '', signed_via = ? WHERE id = ?`,
		signer.LegalName(), signer.Email, int64(signer.ID), version, ms(now), via, int64(ws))
	return err
}
