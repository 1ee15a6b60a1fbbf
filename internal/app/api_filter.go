package app

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode"

	filter "github.com/scim2/filter-parser/v2"
)

// The SCIM filters the provisioning API supports, read with the grammar of
// RFC 7644 section 3.4.2.2, where a value is a JSON string: escapes such as
// \" and \\ mean what JSON says.

const scimUserURN = "urn:ietf:params:scim:schemas:core:2.0:user"

var unsupportedFilter = &FilterError{Message: `Unsupported filter: use userName eq "HXBC\\name", ` +
	`meta.lastModified gt "2026-01-31T00:00:00Z", or both joined with and.`}

// ParseUserFilter reads the filters the API supports: `userName eq "x"`,
// `meta.lastModified gt "RFC 3339 time"`, and the two joined with `and`.
// Attribute names and operators are case-insensitive, as in SCIM; userName
// may be given with or without its HXBC\ prefix, and the backslash of that
// prefix may be written once ("HXBC\nancy") or escaped ("HXBC\\nancy").
func ParseUserFilter(s string) (UserFilter, error) {
	f, err := parseUserFilter(s)
	if err != nil {
		return UserFilter{}, err
	}
	return f, nil
}

func parseUserFilter(s string) (UserFilter, error) {
	var f UserFilter
	s = strings.TrimSpace(s)
	if s == "" {
		return f, nil
	}
	src, err := prepareFilter(s)
	if err != nil {
		return f, err
	}
	expr, err := filter.ParseFilter([]byte(src))
	if err != nil {
		return f, &FilterError{Message: `The filter could not be read: write attribute, operator and a quoted value, ` +
			`e.g. userName eq "HXBC\\name"; inside the quotes write \" for a quote and \\ for a backslash.`}
	}
	var exprs []*filter.AttributeExpression
	switch e := expr.(type) {
	case *filter.AttributeExpression:
		exprs = append(exprs, e)
	case *filter.LogicalExpression:
		l, lok := e.Left.(*filter.AttributeExpression)
		r, rok := e.Right.(*filter.AttributeExpression)
		if e.Operator != filter.AND || !lok || !rok {
			return f, unsupportedFilter
		}
		exprs = append(exprs, l, r)
	default:
		return f, unsupportedFilter
	}
	seen := map[string]bool{}
	for _, e := range exprs {
		path := e.AttributePath
		if uri := strings.ToLower(path.URI()); uri != "" && uri != scimUserURN {
			return f, unsupportedFilter
		}
		attr := strings.ToLower(path.AttributeName)
		if sub := path.SubAttributeName(); sub != "" {
			attr += "." + strings.ToLower(sub)
		}
		if seen[attr] {
			return f, unsupportedFilter
		}
		seen[attr] = true
		op := strings.ToLower(string(e.Operator))
		if (attr != "username" || op != "eq") && (attr != "meta.lastmodified" || op != "gt") {
			return f, unsupportedFilter
		}
		raw, ok := e.CompareValue.(string)
		if !ok {
			return f, &FilterError{Message: "Filter values must be quoted strings, e.g. userName eq \"HXBC\\\\name\"."}
		}
		var v string
		if err := json.Unmarshal([]byte(`"`+raw+`"`), &v); err != nil {
			return f, &FilterError{
				Message: "The filter has a string that is not valid: write \\\" for a quote and \\\\ for a backslash.",
			}
		}
		if i := strings.IndexFunc(v, unicode.IsControl); i >= 0 {
			return f, &FilterError{Message: fmt.Sprintf("The value %q holds a control character: in a filter string "+
				`\n, \t and \r are a line break, a tab and a return; write a backslash as \\.`, v)}
		}
		switch attr {
		case "username":
			v = strings.ToLower(strings.TrimSpace(v))
			v = strings.TrimPrefix(v, `hxbc\`)
			if v == "" {
				return f, &FilterError{Message: "The userName to match is empty."}
			}
			f.Username = v
		case "meta.lastmodified":
			t, err := time.Parse(time.RFC3339Nano, v)
			if err != nil {
				return f, &FilterError{
					Message: fmt.Sprintf(
						"meta.lastModified must be compared with an RFC 3339 time, e.g. 2026-01-31T00:00:00Z, not %q.",
						v,
					),
				}
			}
			f.ChangedAfter = t.UTC()
		}
	}
	return f, nil
}

// prepareFilter checks what the grammar would accept but the API does not
// (grouping) and rewrites the strings of s for the parser: the backslash
// of a leading HXBC\ is taken as written unless it starts a \\ or a
// \uXXXX escape, and the hex digits of \u escapes are upper-cased (the
// parser takes only those; JSON takes both).
func prepareFilter(s string) (string, error) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '"' {
			if c == '(' || c == ')' || c == '[' || c == ']' {
				return "", &FilterError{Message: "Grouping with parentheses or brackets is not supported."}
			}
			b.WriteByte(c)
			continue
		}
		b.WriteByte('"')
		i++
		if len(s)-i > 5 && strings.EqualFold(s[i:i+4], "hxbc") && s[i+4] == '\\' && s[i+5] != '\\' &&
			!unicodeEscape(s[i+4:]) {
			b.WriteString(s[i:i+4] + `\\`)
			i += 5
		}
		for ; i < len(s) && s[i] != '"'; i++ {
			if s[i] == '\\' && i+1 < len(s) {
				if unicodeEscape(s[i:]) {
					b.WriteString(`\u` + strings.ToUpper(s[i+2:i+6]))
					i += 5
					continue
				}
				b.WriteByte('\\')
				i++
			}
			b.WriteByte(s[i])
		}
		if i < len(s) {
			b.WriteByte('"')
		}
	}
	return b.String(), nil
}

// unicodeEscape reports whether s starts with a \uXXXX escape.
func unicodeEscape(s string) bool {
	if len(s) < 6 || s[0] != '\\' || s[1] != 'u' {
		return false
	}
	for _, c := range s[2:6] {
		if !strings.ContainsRune("0123456789abcdefABCDEF", c) {
			return false
		}
	}
	return true
}
