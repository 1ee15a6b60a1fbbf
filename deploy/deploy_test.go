package deploy

import (
	"bytes"
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

// Settings and commands the manifests use that other work adds to
// cmd/portal at the same time as these manifests: -metrics-addr,
// -trusted-proxies (replacing -trust-proxy), the audit key and
// `portal check`. Once cmd/portal has them, they are found there and these
// entries are redundant (harmless); remove them then.
var (
	comingSettings = []string{"PORTAL_METRICS_ADDR", "PORTAL_TRUSTED_PROXIES"}
	comingSecrets  = []string{"AUDIT_KEY"}
	comingCommands = []string{"check"}
)

// optionalSecrets are secrets the portal can read that the server in the
// pod does not need: /metrics is served on its own listener there, which
// only the monitoring namespace reaches, so no metrics token is set.
var optionalSecrets = map[string]bool{"METRICS_TOKEN": true}

// otherEnv are variables read by something other than cmd/portal's flags:
// pgx (the PostgreSQL password file and CA) and the Go runtime.
var otherEnv = map[string]bool{"PGPASSFILE": true, "PGSSLROOTCERT": true, "GOMEMLIMIT": true}

// notApplied are files kustomization.yaml must not list.
var notApplied = map[string]bool{
	"kustomization.yaml":  true,
	"secret.example.yaml": true, // a template: the real Secret is made from files
	"job-migrate.yaml":    true, // applied on its own before each release
}

type meta struct {
	Name   string            `yaml:"name"`
	Labels map[string]string `yaml:"labels"`
}

type object struct {
	APIVersion string            `yaml:"apiVersion"`
	Kind       string            `yaml:"kind"`
	Metadata   meta              `yaml:"metadata"`
	Data       map[string]string `yaml:"data"`
	StringData map[string]string `yaml:"stringData"`
	Spec       yaml.Node         `yaml:"spec"`
	file       string
}

type labelSelector struct {
	MatchLabels map[string]string `yaml:"matchLabels"`
}

type podTemplate struct {
	Metadata meta    `yaml:"metadata"`
	Spec     podSpec `yaml:"spec"`
}

type deploymentSpec struct {
	Replicas *int          `yaml:"replicas"`
	Selector labelSelector `yaml:"selector"`
	Strategy struct {
		RollingUpdate struct {
			MaxUnavailable any `yaml:"maxUnavailable"`
		} `yaml:"rollingUpdate"`
	} `yaml:"strategy"`
	Template podTemplate `yaml:"template"`
}

type jobSpec struct {
	BackoffLimit *int        `yaml:"backoffLimit"`
	Template     podTemplate `yaml:"template"`
}

type cronJobSpec struct {
	Schedule          string `yaml:"schedule"`
	TimeZone          string `yaml:"timeZone"`
	ConcurrencyPolicy string `yaml:"concurrencyPolicy"`
	JobTemplate       struct {
		Spec jobSpec `yaml:"spec"`
	} `yaml:"jobTemplate"`
}

type podSpec struct {
	RestartPolicy                string      `yaml:"restartPolicy"`
	AutomountServiceAccountToken *bool       `yaml:"automountServiceAccountToken"`
	HostNetwork                  bool        `yaml:"hostNetwork"`
	SecurityContext              podSecurity `yaml:"securityContext"`
	InitContainers               []container `yaml:"initContainers"`
	Containers                   []container `yaml:"containers"`
	Volumes                      []volume    `yaml:"volumes"`
}

type seccomp struct {
	Type string `yaml:"type"`
}

type podSecurity struct {
	RunAsNonRoot   *bool    `yaml:"runAsNonRoot"`
	RunAsUser      *int64   `yaml:"runAsUser"`
	SeccompProfile *seccomp `yaml:"seccompProfile"`
}

type containerSecurity struct {
	RunAsNonRoot             *bool    `yaml:"runAsNonRoot"`
	RunAsUser                *int64   `yaml:"runAsUser"`
	ReadOnlyRootFilesystem   *bool    `yaml:"readOnlyRootFilesystem"`
	AllowPrivilegeEscalation *bool    `yaml:"allowPrivilegeEscalation"`
	Privileged               *bool    `yaml:"privileged"`
	SeccompProfile           *seccomp `yaml:"seccompProfile"`
	Capabilities             struct {
		Add  []string `yaml:"add"`
		Drop []string `yaml:"drop"`
	} `yaml:"capabilities"`
}

type probe struct {
	HTTPGet *struct {
		Path string `yaml:"path"`
		Port any    `yaml:"port"`
	} `yaml:"httpGet"`
}

type envVar struct {
	Name      string `yaml:"name"`
	Value     string `yaml:"value"`
	ValueFrom *struct {
		SecretKeyRef *struct {
			Name string `yaml:"name"`
			Key  string `yaml:"key"`
		} `yaml:"secretKeyRef"`
	} `yaml:"valueFrom"`
}

type container struct {
	Name    string   `yaml:"name"`
	Image   string   `yaml:"image"`
	Command []string `yaml:"command"`
	Args    []string `yaml:"args"`
	Ports   []struct {
		Name          string `yaml:"name"`
		ContainerPort int    `yaml:"containerPort"`
	} `yaml:"ports"`
	Env     []envVar `yaml:"env"`
	EnvFrom []struct {
		ConfigMapRef *struct {
			Name string `yaml:"name"`
		} `yaml:"configMapRef"`
		SecretRef *struct {
			Name string `yaml:"name"`
		} `yaml:"secretRef"`
	} `yaml:"envFrom"`
	VolumeMounts []struct {
		Name      string `yaml:"name"`
		MountPath string `yaml:"mountPath"`
		ReadOnly  bool   `yaml:"readOnly"`
	} `yaml:"volumeMounts"`
	StartupProbe   *probe `yaml:"startupProbe"`
	LivenessProbe  *probe `yaml:"livenessProbe"`
	ReadinessProbe *probe `yaml:"readinessProbe"`
	Resources      struct {
		Requests map[string]string `yaml:"requests"`
		Limits   map[string]string `yaml:"limits"`
	} `yaml:"resources"`
	SecurityContext *containerSecurity `yaml:"securityContext"`
}

type volume struct {
	Name   string `yaml:"name"`
	Secret *struct {
		SecretName  string `yaml:"secretName"`
		DefaultMode *int   `yaml:"defaultMode"`
		Items       []struct {
			Key  string `yaml:"key"`
			Path string `yaml:"path"`
		} `yaml:"items"`
	} `yaml:"secret"`
}

// workload is a pod template with where it came from.
type workload struct {
	kind, name, file string
	pod              podTemplate
}

type manifests struct {
	objects   []object
	workloads []workload
}

func load(t *testing.T) *manifests {
	t.Helper()
	files, err := filepath.Glob("*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no manifests: %v", err)
	}
	m := &manifests{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		dec := yaml.NewDecoder(bytes.NewReader(b))
		for {
			var o object
			err := dec.Decode(&o)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			o.file = f
			m.objects = append(m.objects, o)
		}
	}
	for _, o := range m.objects {
		switch o.Kind {
		case "Deployment":
			var s deploymentSpec
			decodeSpec(t, o, &s)
			m.workloads = append(m.workloads, workload{o.Kind, o.Metadata.Name, o.file, s.Template})
		case "Job":
			var s jobSpec
			decodeSpec(t, o, &s)
			m.workloads = append(m.workloads, workload{o.Kind, o.Metadata.Name, o.file, s.Template})
		case "CronJob":
			var s cronJobSpec
			decodeSpec(t, o, &s)
			m.workloads = append(m.workloads, workload{o.Kind, o.Metadata.Name, o.file, s.JobTemplate.Spec.Template})
		}
	}
	return m
}

func decodeSpec(t *testing.T, o object, v any) {
	t.Helper()
	if err := o.Spec.Decode(v); err != nil {
		t.Fatalf("%s %s: spec: %v", o.file, o.Metadata.Name, err)
	}
}

func (m *manifests) one(t *testing.T, kind string) object {
	t.Helper()
	var found []object
	for _, o := range m.objects {
		if o.Kind == kind {
			found = append(found, o)
		}
	}
	if len(found) != 1 {
		t.Fatalf("%d %s manifests, want 1", len(found), kind)
	}
	return found[0]
}

func (m *manifests) named(kind, name string) (object, bool) {
	for _, o := range m.objects {
		if o.Kind == kind && o.Metadata.Name == name {
			return o, true
		}
	}
	return object{}, false
}

// portalSettings is what cmd/portal reads: the PORTAL_* variables, which of
// them are secrets (read also from NAME_FILE), and the commands.
type portalSettings struct {
	env      map[string]bool
	secrets  map[string]bool
	commands map[string]bool
}

var upperName = regexp.MustCompile(`^[A-Z][A-Z0-9_]*$`)

// readPortalSettings parses cmd/portal: the first argument of every call to
// a local helper named env* or secret is a setting (PORTAL_ + it); secret's
// are secrets; every "PORTAL_..." string literal is a setting; the cases of
// a switch on cmd are commands.
func readPortalSettings(t *testing.T) portalSettings {
	t.Helper()
	s := portalSettings{env: map[string]bool{}, secrets: map[string]bool{}, commands: map[string]bool{}}
	fset := token.NewFileSet()
	files, err := filepath.Glob("../cmd/portal/*.go")
	if err != nil || len(files) == 0 {
		t.Fatalf("cmd/portal: %v", err)
	}
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.CallExpr:
				fn, ok := n.Fun.(*ast.Ident)
				if !ok || len(n.Args) == 0 || !(strings.HasPrefix(fn.Name, "env") || fn.Name == "secret") {
					return true
				}
				if v, ok := stringLit(n.Args[0]); ok && upperName.MatchString(v) {
					s.env["PORTAL_"+v] = true
					if fn.Name == "secret" {
						s.secrets[v] = true
						s.env["PORTAL_"+v+"_FILE"] = true
					}
				}
			case *ast.BasicLit:
				if v, ok := stringLit(n); ok && strings.HasPrefix(v, "PORTAL_") && upperName.MatchString(v) {
					s.env[v] = true
				}
			case *ast.ValueSpec: // var commands = map[string]func(...){"name": run, ...}
				if len(n.Names) != 1 || n.Names[0].Name != "commands" || len(n.Values) != 1 {
					return true
				}
				if lit, ok := n.Values[0].(*ast.CompositeLit); ok {
					for _, e := range lit.Elts {
						if kv, ok := e.(*ast.KeyValueExpr); ok {
							if v, ok := stringLit(kv.Key); ok {
								s.commands[v] = true
							}
						}
					}
				}
			case *ast.SwitchStmt:
				if tag, ok := n.Tag.(*ast.Ident); !ok || tag.Name != "cmd" {
					return true
				}
				for _, st := range n.Body.List {
					for _, e := range st.(*ast.CaseClause).List {
						if v, ok := stringLit(e); ok {
							s.commands[v] = true
						}
					}
				}
			}
			return true
		})
	}
	if len(s.env) < 10 || len(s.secrets) == 0 || !s.commands["serve"] || !s.commands["migrate"] {
		t.Fatalf("read too little from cmd/portal (the parser here needs updating): %+v", s)
	}
	for _, n := range comingSettings {
		s.env[n] = true
	}
	for _, n := range comingSecrets {
		s.secrets[n] = true
		s.env["PORTAL_"+n] = true
		s.env["PORTAL_"+n+"_FILE"] = true
	}
	for _, c := range comingCommands {
		s.commands[c] = true
	}
	return s
}

func stringLit(e ast.Expr) (string, bool) {
	lit, ok := e.(*ast.BasicLit)
	if !ok || lit.Kind != token.STRING {
		return "", false
	}
	v, err := strconv.Unquote(lit.Value)
	return v, err == nil
}

func TestManifestsParse(t *testing.T) {
	m := load(t)
	files := map[string]bool{}
	for _, o := range m.objects {
		files[o.file] = true
		if o.APIVersion == "" || o.Kind == "" {
			t.Errorf("%s: a document without apiVersion or kind", o.file)
		}
		if o.Kind != "Kustomization" && o.Metadata.Name == "" {
			t.Errorf("%s: %s without a name", o.file, o.Kind)
		}
		if o.Kind != "Kustomization" && o.Metadata.Labels["app.kubernetes.io/name"] != "portal" {
			t.Errorf("%s: %s %s lacks the label app.kubernetes.io/name: portal", o.file, o.Kind, o.Metadata.Name)
		}
	}
	for _, kind := range []string{"Deployment", "Service", "PodDisruptionBudget", "ConfigMap", "Secret", "Job",
		"NetworkPolicy", "Kustomization"} {
		m.one(t, kind)
	}

	// kustomization.yaml applies every manifest but the ones kept apart.
	k := m.one(t, "Kustomization")
	var ks struct {
		Resources []string `yaml:"resources"`
	}
	b, _ := os.ReadFile(k.file)
	if err := yaml.Unmarshal(b, &ks); err != nil {
		t.Fatal(err)
	}
	var want []string
	for f := range files {
		if !notApplied[f] {
			want = append(want, f)
		}
	}
	sort.Strings(want)
	got := slices.Clone(ks.Resources)
	sort.Strings(got)
	if !slices.Equal(got, want) {
		t.Errorf("kustomization resources = %v, want %v", got, want)
	}
}

func TestPodsHardened(t *testing.T) {
	m := load(t)
	if len(m.workloads) < 4 {
		t.Fatalf("%d workloads, want the Deployment, the Job and two CronJobs", len(m.workloads))
	}
	images := map[string]bool{}
	for _, w := range m.workloads {
		where := w.file + ": " + w.kind + " " + w.name
		p := w.pod.Spec
		if p.SecurityContext.RunAsNonRoot == nil || !*p.SecurityContext.RunAsNonRoot {
			t.Errorf("%s: pod securityContext.runAsNonRoot is not true", where)
		}
		if p.SecurityContext.SeccompProfile == nil || p.SecurityContext.SeccompProfile.Type != "RuntimeDefault" {
			t.Errorf("%s: pod seccompProfile is not RuntimeDefault", where)
		}
		if p.AutomountServiceAccountToken == nil || *p.AutomountServiceAccountToken {
			t.Errorf("%s: the pod mounts a service account token it does not use", where)
		}
		if p.HostNetwork {
			t.Errorf("%s: hostNetwork", where)
		}
		if w.kind != "Deployment" && p.RestartPolicy != "Never" {
			t.Errorf(
				"%s: restartPolicy %q, want Never (the Job's backoffLimit counts the retries)",
				where,
				p.RestartPolicy,
			)
		}
		if w.pod.Metadata.Labels["app.kubernetes.io/name"] != "portal" {
			t.Errorf("%s: pod lacks the label the NetworkPolicy selects", where)
		}
		if len(p.Containers) == 0 {
			t.Errorf("%s: no containers", where)
		}
		for _, c := range append(slices.Clone(p.InitContainers), p.Containers...) {
			where := where + " container " + c.Name
			images[c.Image] = true
			checkImage(t, where, c.Image)
			for _, r := range []string{"cpu", "memory"} {
				if c.Resources.Requests[r] == "" {
					t.Errorf("%s: no %s request", where, r)
				}
			}
			if c.Resources.Limits["memory"] == "" {
				t.Errorf("%s: no memory limit", where)
			}
			sc := c.SecurityContext
			if sc == nil {
				t.Errorf("%s: no securityContext", where)
				continue
			}
			if sc.RunAsNonRoot == nil || !*sc.RunAsNonRoot {
				t.Errorf("%s: runAsNonRoot is not true", where)
			}
			if sc.RunAsUser != nil && *sc.RunAsUser == 0 {
				t.Errorf("%s: runs as root", where)
			}
			if sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem {
				t.Errorf("%s: readOnlyRootFilesystem is not true", where)
			}
			if sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation {
				t.Errorf("%s: allowPrivilegeEscalation is not false", where)
			}
			if sc.Privileged != nil && *sc.Privileged {
				t.Errorf("%s: privileged", where)
			}
			if !slices.Equal(sc.Capabilities.Drop, []string{"ALL"}) || len(sc.Capabilities.Add) > 0 {
				t.Errorf("%s: capabilities drop %v add %v, want drop [ALL] and none added", where,
					sc.Capabilities.Drop, sc.Capabilities.Add)
			}
			if sc.SeccompProfile == nil || sc.SeccompProfile.Type != "RuntimeDefault" {
				t.Errorf("%s: seccompProfile is not RuntimeDefault", where)
			}
		}
	}
	// One release, one image: the Job and the CronJobs run the same
	// version as the Deployment.
	if len(images) != 1 {
		t.Errorf("images %v, want one", images)
	}
}

// checkImage wants a pinned image: a version tag other than latest, or a digest.
func checkImage(t *testing.T, where, image string) {
	t.Helper()
	if strings.Contains(image, "@sha256:") {
		return
	}
	slash := strings.LastIndex(image, "/")
	colon := strings.LastIndex(image, ":")
	if colon < slash || colon < 0 {
		t.Errorf("%s: image %q has no tag", where, image)
		return
	}
	if tag := image[colon+1:]; tag == "latest" || tag == "" {
		t.Errorf("%s: image %q is not pinned", where, image)
	}
}

func TestDeployment(t *testing.T) {
	m := load(t)
	d := m.one(t, "Deployment")
	var s deploymentSpec
	decodeSpec(t, d, &s)
	if s.Replicas == nil {
		t.Error("replicas unset, want 3")
	} else if *s.Replicas != 3 {
		t.Errorf("replicas = %d, want 3", *s.Replicas)
	}
	if s.Strategy.RollingUpdate.MaxUnavailable != 0 {
		t.Errorf("rollingUpdate.maxUnavailable = %v, want 0", s.Strategy.RollingUpdate.MaxUnavailable)
	}
	if !selects(s.Selector.MatchLabels, s.Template.Metadata.Labels) {
		t.Errorf("the selector %v does not select the pods %v", s.Selector.MatchLabels, s.Template.Metadata.Labels)
	}
	cm := m.one(t, "ConfigMap")
	if len(s.Template.Spec.Containers) != 1 {
		t.Fatalf("%d containers, want 1", len(s.Template.Spec.Containers))
	}
	c := s.Template.Spec.Containers[0]
	ports := map[string]int{}
	for _, p := range c.Ports {
		ports[p.Name] = p.ContainerPort
	}
	// The ports the portal listens on are the ones declared.
	if want := ":" + strconv.Itoa(ports["http"]); cm.Data["PORTAL_ADDR"] != want {
		t.Errorf("PORTAL_ADDR = %q, port http = %d", cm.Data["PORTAL_ADDR"], ports["http"])
	}
	if want := ":" + strconv.Itoa(ports["metrics"]); cm.Data["PORTAL_METRICS_ADDR"] != want {
		t.Errorf("PORTAL_METRICS_ADDR = %q, port metrics = %d", cm.Data["PORTAL_METRICS_ADDR"], ports["metrics"])
	}
	for _, pr := range []struct {
		name string
		p    *probe
		path string
	}{
		{"liveness", c.LivenessProbe, "/healthz"},
		{"readiness", c.ReadinessProbe, "/readyz"},
		{"startup", c.StartupProbe, "/healthz"},
	} {
		if pr.p == nil || pr.p.HTTPGet == nil {
			t.Errorf("no %s probe", pr.name)
			continue
		}
		if pr.p.HTTPGet.Path != pr.path || pr.p.HTTPGet.Port != "http" {
			t.Errorf(
				"%s probe: %s on %v, want %s on the http port",
				pr.name,
				pr.p.HTTPGet.Path,
				pr.p.HTTPGet.Port,
				pr.path,
			)
		}
	}
	if !slices.Equal(c.Args, []string{"serve"}) {
		t.Errorf("args %v, want [serve]", c.Args)
	}

	pdb := m.one(t, "PodDisruptionBudget")
	var ps struct {
		MinAvailable   any           `yaml:"minAvailable"`
		MaxUnavailable any           `yaml:"maxUnavailable"`
		Selector       labelSelector `yaml:"selector"`
	}
	decodeSpec(t, pdb, &ps)
	if ps.MinAvailable != 2 || ps.MaxUnavailable != nil {
		t.Errorf("PDB minAvailable %v maxUnavailable %v, want minAvailable 2", ps.MinAvailable, ps.MaxUnavailable)
	}
	if !selects(ps.Selector.MatchLabels, s.Template.Metadata.Labels) {
		t.Errorf("the PDB does not select the Deployment's pods")
	}

	svc := m.one(t, "Service")
	var ss struct {
		Selector map[string]string `yaml:"selector"`
		Ports    []struct {
			Name       string `yaml:"name"`
			TargetPort any    `yaml:"targetPort"`
		} `yaml:"ports"`
	}
	decodeSpec(t, svc, &ss)
	if !selects(ss.Selector, s.Template.Metadata.Labels) {
		t.Errorf("the Service does not select the Deployment's pods")
	}
	for _, p := range ss.Ports {
		name, _ := p.TargetPort.(string)
		if _, ok := ports[name]; !ok {
			t.Errorf("Service port %s targets %v, not a named container port", p.Name, p.TargetPort)
		}
	}
}

// selects reports whether a non-empty selector matches labels.
func selects(selector, labels map[string]string) bool {
	if len(selector) == 0 {
		return false
	}
	for k, v := range selector {
		if labels[k] != v {
			return false
		}
	}
	return true
}

func TestSettingsExist(t *testing.T) {
	m := load(t)
	s := readPortalSettings(t)
	cm := m.one(t, "ConfigMap")
	for k := range cm.Data {
		if !s.env[k] {
			t.Errorf("ConfigMap sets %s, which cmd/portal does not read", k)
		}
		if strings.HasPrefix(k, "PORTAL_") && s.secrets[strings.TrimPrefix(k, "PORTAL_")] {
			t.Errorf("ConfigMap holds the secret %s: give it as a file", k)
		}
	}
	if v, ok := cm.Data["PORTAL_DEV"]; ok {
		t.Errorf("PORTAL_DEV = %q in production", v)
	}
	if _, ok := cm.Data["PORTAL_TRUST_PROXY"]; ok {
		t.Error("PORTAL_TRUST_PROXY is replaced by PORTAL_TRUSTED_PROXIES")
	}
	db, err := url.Parse(cm.Data["PORTAL_DB"])
	if err != nil {
		t.Fatalf("PORTAL_DB: %v", err)
	}
	if _, hasPassword := db.User.Password(); db.Scheme != "postgres" || hasPassword ||
		db.Query().Get("sslmode") != "verify-full" {
		t.Errorf(
			"PORTAL_DB = %q: want postgres:// with no password (PGPASSFILE) and sslmode=verify-full",
			db.Redacted(),
		)
	}
	for _, w := range m.workloads {
		for _, c := range w.pod.Spec.Containers {
			where := w.file + ": " + c.Name
			for _, e := range c.Env {
				if !s.env[e.Name] && !otherEnv[e.Name] {
					t.Errorf("%s: env %s is read by nothing the portal runs", where, e.Name)
				}
			}
			for _, ef := range c.EnvFrom {
				if ef.ConfigMapRef == nil || ef.ConfigMapRef.Name != cm.Metadata.Name {
					t.Errorf("%s: envFrom other than the ConfigMap %s", where, cm.Metadata.Name)
				}
			}
			if len(c.Command) > 0 {
				t.Errorf("%s: command %v overrides the image's entrypoint", where, c.Command)
			}
			if len(c.Args) == 0 || !s.commands[c.Args[0]] {
				t.Errorf("%s: args %v: not a portal command", where, c.Args)
			}
		}
	}
}

func TestSecretsMountedAsFiles(t *testing.T) {
	m := load(t)
	s := readPortalSettings(t)
	secret := m.one(t, "Secret")
	for _, w := range m.workloads {
		p := w.pod.Spec
		vols := map[string]volume{}
		for _, v := range p.Volumes {
			vols[v.Name] = v
		}
		for _, c := range p.Containers {
			where := w.file + ": " + c.Name
			// Files the container sees from secret volumes.
			files := map[string]bool{}
			for _, vm := range c.VolumeMounts {
				v, ok := vols[vm.Name]
				if !ok {
					t.Errorf("%s: mounts the undeclared volume %s", where, vm.Name)
					continue
				}
				if v.Secret == nil {
					continue
				}
				if !vm.ReadOnly {
					t.Errorf("%s: secret volume %s mounted writable", where, vm.Name)
				}
				if v.Secret.SecretName != secret.Metadata.Name {
					t.Errorf("%s: mounts the Secret %s, want %s", where, v.Secret.SecretName, secret.Metadata.Name)
				}
				if v.Secret.DefaultMode == nil || *v.Secret.DefaultMode&0o022 != 0 {
					t.Errorf(
						"%s: secret volume %s defaultMode %v, want no write bits (0444)",
						where,
						vm.Name,
						v.Secret.DefaultMode,
					)
				}
				if len(v.Secret.Items) == 0 {
					t.Errorf("%s: secret volume %s mounts every key; list the ones it needs", where, vm.Name)
				}
				for _, it := range v.Secret.Items {
					if _, ok := secret.StringData[it.Key]; !ok {
						t.Errorf("%s: key %s is not in %s", where, it.Key, secret.file)
					}
					files[path.Join(vm.MountPath, it.Path)] = true
				}
			}
			env := map[string]string{}
			for _, e := range c.Env {
				env[e.Name] = e.Value
				if e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil {
					t.Errorf("%s: %s comes from a secret into the environment; mount it as a file", where, e.Name)
				}
				if strings.HasPrefix(e.Name, "PORTAL_") && s.secrets[strings.TrimPrefix(e.Name, "PORTAL_")] {
					t.Errorf("%s: the secret %s is in the environment; use %s_FILE", where, e.Name, e.Name)
				}
				if strings.HasSuffix(e.Name, "_FILE") || e.Name == "PGPASSFILE" || e.Name == "PGSSLROOTCERT" {
					if !files[e.Value] {
						t.Errorf("%s: %s = %s, which is no mounted secret file", where, e.Name, e.Value)
					}
				}
			}
			// pgx finds the database password and CA in the files.
			for _, n := range []string{"PGPASSFILE", "PGSSLROOTCERT"} {
				if env[n] == "" {
					t.Errorf("%s: no %s", where, n)
				}
			}
			// The server gets every secret the portal reads.
			if w.kind == "Deployment" {
				for name := range s.secrets {
					if env["PORTAL_"+name+"_FILE"] == "" && !optionalSecrets[name] {
						t.Errorf("%s: PORTAL_%s_FILE not set", where, name)
					}
				}
			}
		}
	}
}

func TestCronJobs(t *testing.T) {
	m := load(t)
	want := map[string][]string{"portal-check": {"check"}, "portal-audit-verify": {"audit", "verify"}}
	for name, args := range want {
		o, ok := m.named("CronJob", name)
		if !ok {
			t.Errorf("no CronJob %s", name)
			continue
		}
		var s cronJobSpec
		decodeSpec(t, o, &s)
		if err := checkSchedule(s.Schedule); err != nil {
			t.Errorf("%s: schedule %q: %v", name, s.Schedule, err)
		}
		if _, err := time.LoadLocation(s.TimeZone); err != nil || s.TimeZone == "" {
			t.Errorf("%s: timeZone %q: %v", name, s.TimeZone, err)
		}
		if s.ConcurrencyPolicy != "Forbid" {
			t.Errorf("%s: concurrencyPolicy %q, want Forbid", name, s.ConcurrencyPolicy)
		}
		if b := s.JobTemplate.Spec.BackoffLimit; b == nil || *b != 0 {
			t.Errorf("%s: backoffLimit %v, want 0 (a failure is a finding, not a glitch)", name, b)
		}
		if c := s.JobTemplate.Spec.Template.Spec.Containers; len(c) != 1 || !slices.Equal(c[0].Args, args) {
			t.Errorf("%s: containers %+v, want one running %v", name, c, args)
		}
	}
	j := m.one(t, "Job")
	var js jobSpec
	decodeSpec(t, j, &js)
	if c := js.Template.Spec.Containers; len(c) != 1 || !slices.Equal(c[0].Args, []string{"migrate"}) {
		t.Errorf("Job %s: want one container running migrate", j.Metadata.Name)
	}
}

func TestCheckSchedule(t *testing.T) {
	for _, ok := range []string{"15 6 * * *", "*/5 * * * *", "0 0 1 1 0", "0-30/10 1,2,3 * * 1-5", "59 23 31 12 7"} {
		if err := checkSchedule(ok); err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
	for _, bad := range []string{"", "* * * *", "60 * * * *", "0 24 * * *", "0 0 0 * *", "0 0 * 13 *", "0 0 * * 8",
		"*/0 * * * *", "5-1 * * * *", "a * * * *", "@daily", "0 0 * * * *"} {
		if err := checkSchedule(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// checkSchedule validates a five-field cron schedule as Kubernetes reads
// it: minute, hour, day of month, month, day of week; numbers, *, ranges,
// lists and steps.
func checkSchedule(s string) error {
	fields := strings.Fields(s)
	if len(fields) != 5 {
		return errors.New("want five fields")
	}
	bounds := [5][2]int{{0, 59}, {0, 23}, {1, 31}, {1, 12}, {0, 7}}
	for i, f := range fields {
		for _, part := range strings.Split(f, ",") {
			rng, step, hasStep := strings.Cut(part, "/")
			if hasStep {
				n, err := strconv.Atoi(step)
				if err != nil || n < 1 {
					return errors.New("bad step in " + part)
				}
			}
			if rng == "*" {
				continue
			}
			lo, hi, isRange := strings.Cut(rng, "-")
			a, err := strconv.Atoi(lo)
			if err != nil {
				return errors.New("bad value in " + part)
			}
			b := a
			if isRange {
				if b, err = strconv.Atoi(hi); err != nil {
					return errors.New("bad range in " + part)
				}
			}
			if a < bounds[i][0] || b > bounds[i][1] || a > b {
				return errors.New("out of range: " + part)
			}
		}
	}
	return nil
}

func TestNetworkPolicy(t *testing.T) {
	m := load(t)
	np := m.one(t, "NetworkPolicy")
	type peer struct {
		NamespaceSelector *labelSelector `yaml:"namespaceSelector"`
		PodSelector       *labelSelector `yaml:"podSelector"`
		IPBlock           *struct {
			CIDR string `yaml:"cidr"`
		} `yaml:"ipBlock"`
	}
	type port struct {
		Port     int    `yaml:"port"`
		Protocol string `yaml:"protocol"`
	}
	type rule struct {
		From  []peer `yaml:"from"`
		To    []peer `yaml:"to"`
		Ports []port `yaml:"ports"`
	}
	var s struct {
		PodSelector labelSelector `yaml:"podSelector"`
		PolicyTypes []string      `yaml:"policyTypes"`
		Ingress     []rule        `yaml:"ingress"`
		Egress      []rule        `yaml:"egress"`
	}
	decodeSpec(t, np, &s)
	for _, w := range m.workloads {
		if !selects(s.PodSelector.MatchLabels, w.pod.Metadata.Labels) {
			t.Errorf("the NetworkPolicy does not cover %s %s", w.kind, w.name)
		}
	}
	if !slices.Contains(s.PolicyTypes, "Ingress") || !slices.Contains(s.PolicyTypes, "Egress") {
		t.Errorf("policyTypes %v, want Ingress and Egress", s.PolicyTypes)
	}
	// In: the web port from one namespace selector, the metrics port from
	// another; nothing else.
	in := map[int]string{}
	for _, r := range s.Ingress {
		if len(r.From) != 1 || r.From[0].NamespaceSelector == nil ||
			len(r.From[0].NamespaceSelector.MatchLabels) == 0 ||
			r.From[0].IPBlock != nil {
			t.Errorf("ingress %+v: want from one labelled namespace", r)
			continue
		}
		if len(r.Ports) != 1 {
			t.Errorf("ingress from %v: ports %v, want one", r.From[0].NamespaceSelector.MatchLabels, r.Ports)
			continue
		}
		in[r.Ports[0].Port] = strings.Join(mapKeys(r.From[0].NamespaceSelector.MatchLabels), ",")
	}
	if len(in) != 2 || in[8080] == "" || in[9090] == "" || in[8080] == in[9090] {
		t.Errorf("ingress ports %v, want 8080 from the router and 9090 from monitoring", in)
	}
	// Out: only the listed ports.
	out := map[string]bool{}
	for _, r := range s.Egress {
		if len(r.Ports) == 0 || len(r.To) == 0 {
			t.Errorf("egress rule %+v allows every port or every destination", r)
		}
		for _, p := range r.Ports {
			out[strconv.Itoa(p.Port)+"/"+p.Protocol] = true
		}
	}
	for _, want := range []string{"5432/TCP", "587/TCP", "443/TCP", "53/UDP", "53/TCP"} {
		if !out[want] {
			t.Errorf("egress lacks %s", want)
		}
	}
	for p := range out {
		switch p {
		case "5432/TCP", "587/TCP", "465/TCP", "443/TCP", "53/UDP", "53/TCP", "5353/UDP", "5353/TCP":
		default:
			t.Errorf("egress allows %s", p)
		}
	}
}

func mapKeys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// The image built from source and the one built from a host binary (the
// one scripts/image-test checks) have the same final stage.
func TestContainerfilesAgree(t *testing.T) {
	full := finalStage(t, "../Containerfile")
	local := finalStage(t, "../Containerfile.local")
	if !slices.Equal(full, local) {
		t.Errorf("final stages differ:\nContainerfile:       %q\nContainerfile.local: %q", full, local)
	}
	want := []string{"FROM scratch", "USER 65532:65532", `ENTRYPOINT ["/portal"]`, `CMD ["serve"]`,
		"COPY /etc/ssl/certs/ca-certificates.crt", "COPY /portal", "COPY --chown=65532:65532 /data"}
	for _, w := range want {
		if !slices.Contains(full, w) {
			t.Errorf("final stage lacks %q: %q", w, full)
		}
	}
}

// finalStage returns the instructions after the last FROM, with COPY
// reduced to its flags (but --from) and destination.
func finalStage(t *testing.T, name string) []string {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	var stage []string
	joined := strings.ReplaceAll(string(b), "\\\n", " ")
	for _, line := range strings.Split(joined, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Fields(line)
		switch strings.ToUpper(fields[0]) {
		case "FROM":
			stage = []string{strings.Join(fields[:2], " ")}
		case "COPY":
			out := []string{"COPY"}
			for _, f := range fields[1 : len(fields)-1] {
				if strings.HasPrefix(f, "--") && !strings.HasPrefix(f, "--from=") {
					out = append(out, f)
				}
			}
			stage = append(stage, strings.Join(append(out, fields[len(fields)-1]), " "))
		default:
			stage = append(stage, strings.Join(fields, " "))
		}
	}
	return stage
}
