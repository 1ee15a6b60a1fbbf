package portal

import "testing"

func TestWorksiteInputNamesAreOneLine(t *testing.T) {
	in := WorksiteInput{Name: " Harbour\r\nClinic\tEast ", SignerName: "Dr\nSam  Lee", GroupName: "Harbour\n\nGroup"}
	in.Normalize()
	if in.Name != "Harbour Clinic East" || in.SignerName != "Dr Sam Lee" || in.GroupName != "Harbour Group" {
		t.Fatalf("names %q, %q, %q", in.Name, in.SignerName, in.GroupName)
	}
}

func TestWorksiteClosed(t *testing.T) {
	for status, want := range map[string]bool{WorksitePending: false, WorksiteApproved: false, WorksiteDeclined: true} {
		w := &Worksite{Name: "Harbour Clinic", Status: status}
		if got := w.Closed(); got != want {
			t.Errorf("%s: Closed() = %v, want %v", status, got, want)
		}
	}
	w := &Worksite{Name: "Harbour Clinic", Status: WorksiteDeclined}
	if err := w.ClosedError(); ErrorCode(err) != EINVALID ||
		ErrorMessage(
			err,
		) != "Harbour Clinic was declined by the CareConnect team, so it cannot invite anyone or take in new members." {
		t.Fatalf("ClosedError() = %v", err)
	}
}
