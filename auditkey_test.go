package portal

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func TestAuditKey(t *testing.T) {
	text := GenerateAuditKey()
	k, err := ParseAuditKey(text)
	if err != nil || len(k.ID) != 16 {
		t.Fatalf("generated key: %v %v", k, err)
	}
	again, _ := ParseAuditKey("  " + strings.ToUpper(strings.TrimSpace(text)) + "\n\n")
	if again.ID != k.ID {
		t.Errorf("the same secret gave ids %s and %s", k.ID, again.ID)
	}
	other, _ := ParseAuditKey(GenerateAuditKey())
	e := &AuditEvent{Hash: "abc"}
	if k.RowMAC(e) == other.RowMAC(e) || k.RowMAC(e) == k.HeadMAC(1, "abc") || k.ID == other.ID {
		t.Errorf("MACs of different keys or purposes collide")
	}
	for in, want := range map[string]string{
		"not hex":                "an audit key file holds the key in hexadecimal, e.g. from `portal audit keygen`",
		strings.Repeat("ab", 16): "an audit key must be at least 32 bytes, this one is 16",
		"":                       "an audit key must be at least 32 bytes, this one is 0",
	} {
		if _, err := ParseAuditKey(in); err == nil || err.Error() != want {
			t.Errorf("ParseAuditKey(%q): %v, want %q", in, err, want)
		}
	}
}

func TestAuditCheckpoint(t *testing.T) {
	privPEM, pubPEM := GenerateCheckpointKey()
	priv, err := ParseCheckpointSigningKey(privPEM)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := ParseCheckpointPublicKey(pubPEM)
	if err != nil {
		t.Fatal(err)
	}
	fromPriv, err := ParseCheckpointPublicKey(privPEM)
	if err != nil || !fromPriv.Equal(pub) {
		t.Fatalf("public key from the private key: %v", err)
	}
	if _, err := ParseCheckpointSigningKey(pubPEM); err == nil {
		t.Errorf("a public key taken as the signing key")
	}
	at := time.Date(2026, 11, 26, 18, 0, 0, 123456789, time.UTC)
	c := SignCheckpoint(priv, 42, "deadbeef", at)
	if !c.Time.Equal(at.Truncate(time.Millisecond)) || c.Key != CheckpointKeyID(pub) || !c.Verify(pub) {
		t.Fatalf("checkpoint %+v", c)
	}
	var file bytes.Buffer
	file.Write(c.MarshalLine())
	file.WriteString("\n")
	c2 := SignCheckpoint(priv, 43, "cafe", at.Add(time.Hour))
	file.Write(c2.MarshalLine())
	got, err := ParseCheckpoints(&file)
	if err != nil || len(got) != 2 || got[0].Line != 1 || got[1].Line != 3 || !got[0].Verify(pub) ||
		!got[1].Verify(pub) ||
		got[1].Seq != 43 {
		t.Fatalf("read back %+v %v", got, err)
	}
	got[0].Hash = "beefdead"
	if got[0].Verify(pub) {
		t.Errorf("an altered checkpoint verifies")
	}
	if _, err := ParseCheckpoints(strings.NewReader(string(c.MarshalLine()) + "{\"seq\":1}\n")); err == nil ||
		err.Error() != "checkpoint line 2 is not a checkpoint" {
		t.Errorf("bad line: %v", err)
	}
}
