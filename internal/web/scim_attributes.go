package web

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strings"

	portal "github.com/bcgov-example/careconnect-portal"
)

// The attributes and excludedAttributes parameters of the SCIM Users
// endpoints (RFC 7644 sections 3.4.2.5 and 3.9): a client asks for only
// some attributes, or for all but some. Names are in SCIM's attribute
// notation (section 3.10): case-insensitive, with or without the core
// schema's URN, extension attributes after their schema's URN, a
// sub-attribute after a period. id and schemas are always returned
// ("returned": "always" in RFC 7643 section 7). A well-formed name the
// User resource does not have is ignored, as it selects nothing; a name
// that is not attribute notation is a 400 invalidValue.

// scimProjection is a parsed attributes or excludedAttributes request:
// each path is the JSON keys from the top of the resource down.
type scimProjection struct {
	only    bool // attributes was given: only include (and always-returned) attributes
	include [][]string
	exclude [][]string
}

var scimAttrPathRe = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_-]*(\.[A-Za-z][A-Za-z0-9_-]*)?$`)

// scimAttrNode is one attribute of the User resource: its JSON key and
// its sub-attributes' keys, by lower-case name.
type scimAttrNode struct {
	key string
	sub map[string]string
}

// scimUserAttributes maps lower-case attribute names to the resource's
// attributes, per schema URN ("" for the core schema and the common
// attributes), from the schemas the API publishes.
func (s *Server) scimUserAttributes() map[string]map[string]scimAttrNode {
	out := map[string]map[string]scimAttrNode{"": {}, scimExtensionSchema: {}}
	for _, sc := range s.scimSchemas() {
		urn, _ := sc["id"].(string)
		if urn == scimUserSchema {
			urn = ""
		}
		attrs, _ := sc["attributes"].([]scimAttribute)
		for _, a := range attrs {
			n := scimAttrNode{key: a.Name, sub: map[string]string{}}
			for _, sa := range a.SubAttributes {
				n.sub[strings.ToLower(sa.Name)] = sa.Name
			}
			out[urn][strings.ToLower(a.Name)] = n
		}
	}
	out[""]["schemas"] = scimAttrNode{key: "schemas"}
	out[""]["meta"] = scimAttrNode{key: "meta", sub: map[string]string{
		"resourcetype": "resourceType", "created": "created", "lastmodified": "lastModified", "location": "location"}}
	return out
}

// parseSCIMProjection reads the attributes and excludedAttributes lists;
// nil when both are empty.
func (s *Server) parseSCIMProjection(attributes, excluded []string) (*scimProjection, error) {
	known := s.scimUserAttributes()
	p := &scimProjection{}
	for _, list := range []struct {
		names []string
		into  *[][]string
	}{{attributes, &p.include}, {excluded, &p.exclude}} {
		for _, name := range list.names {
			name = strings.TrimSpace(name)
			path, err := scimAttrPath(known, name)
			if err != nil {
				return nil, err
			}
			if name != "" && list.into == &p.include {
				p.only = true
			}
			if path != nil {
				*list.into = append(*list.into, path)
			}
		}
	}
	if !p.only && len(p.exclude) == 0 {
		return nil, nil
	}
	return p, nil
}

// scimAttrPath resolves one name to its JSON keys; nil for a name the
// resource does not have (or an empty one).
func scimAttrPath(known map[string]map[string]scimAttrNode, name string) ([]string, error) {
	if name == "" {
		return nil, nil
	}
	lower := strings.ToLower(name)
	if lower == strings.ToLower(scimExtensionSchema) {
		return []string{scimExtensionSchema}, nil
	}
	urn, rest := "", name
	if i := strings.LastIndexByte(name, ':'); i >= 0 {
		urn, rest = name[:i], name[i+1:]
	}
	if !scimAttrPathRe.MatchString(rest) {
		return nil, portal.Errorf(
			portal.EINVALID,
			"%q is not an attribute name: write names such as userName, name.givenName or %s:worksites.",
			portal.Truncate(name, 100),
			scimExtensionSchema,
		)
	}
	var prefix []string
	switch strings.ToLower(urn) {
	case "", strings.ToLower(scimUserSchema):
		urn = ""
	case strings.ToLower(scimExtensionSchema):
		urn, prefix = scimExtensionSchema, []string{scimExtensionSchema}
	default:
		return nil, nil // another schema's attribute: nothing of it here
	}
	attr, sub, hasSub := strings.Cut(strings.ToLower(rest), ".")
	n, ok := known[urn][attr]
	if !ok {
		return nil, nil
	}
	path := append(prefix, n.key)
	if hasSub {
		key, ok := n.sub[sub]
		if !ok {
			return nil, nil
		}
		path = append(path, key)
	}
	return path, nil
}

// queryList reads a comma-separated list parameter, given once or more.
func queryList(r *http.Request, name string) []string {
	var out []string
	for _, v := range r.URL.Query()[name] {
		for _, item := range strings.Split(v, ",") {
			if item = strings.TrimSpace(item); item != "" {
				out = append(out, item)
			}
		}
	}
	return out
}

// apply returns the resource with only the attributes asked for; the
// resource itself when p is nil.
func (p *scimProjection) apply(res any) any {
	if p == nil {
		return res
	}
	b, err := json.Marshal(res)
	if err != nil {
		return res
	}
	var full map[string]any
	if err := json.Unmarshal(b, &full); err != nil {
		return res
	}
	out := full
	if p.only {
		out = map[string]any{"schemas": full["schemas"], "id": full["id"]}
		for _, path := range p.include {
			includeAttr(out, full, path)
		}
	}
	for _, path := range p.exclude {
		if len(path) == 1 && (path[0] == "id" || path[0] == "schemas") {
			continue // returned always
		}
		excludeAttr(out, path)
	}
	return out
}

// includeAttr copies the attribute at path from src into dst, keeping
// what dst already holds; through a multi-valued attribute it copies the
// sub-attribute of each value.
func includeAttr(dst, src map[string]any, path []string) {
	k := path[0]
	v, ok := src[k]
	if !ok {
		return
	}
	if len(path) == 1 {
		dst[k] = v
		return
	}
	switch x := v.(type) {
	case map[string]any:
		d, _ := dst[k].(map[string]any)
		if d == nil {
			d = map[string]any{}
			dst[k] = d
		}
		includeAttr(d, x, path[1:])
	case []any:
		d, _ := dst[k].([]any)
		if len(d) != len(x) {
			d = make([]any, len(x))
			for i := range d {
				d[i] = map[string]any{}
			}
			dst[k] = d
		}
		for i, el := range x {
			em, ok := el.(map[string]any)
			dm, dok := d[i].(map[string]any)
			if ok && dok {
				includeAttr(dm, em, path[1:])
			}
		}
	}
}

// excludeAttr removes the attribute at path from m, from each value of a
// multi-valued attribute.
func excludeAttr(m map[string]any, path []string) {
	k := path[0]
	if len(path) == 1 {
		delete(m, k)
		return
	}
	switch x := m[k].(type) {
	case map[string]any:
		excludeAttr(x, path[1:])
	case []any:
		for _, el := range x {
			if em, ok := el.(map[string]any); ok {
				excludeAttr(em, path[1:])
			}
		}
	}
}
