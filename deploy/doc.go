// Package deploy holds the portal's Kubernetes and OpenShift manifests
// (the *.yaml files beside this one) and, in its test, their structural
// checks: hardened pods, probes, secrets as files, settings that exist in
// cmd/portal, valid schedules. See README.md.
package deploy
