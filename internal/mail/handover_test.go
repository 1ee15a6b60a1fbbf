package mail

// handoverRequested is Sam Lee's request to take over Harbour Clinic,
// with or without signing a new declaration.
func handoverRequested(signsDeclaration bool) WorksiteHandoverRequested {
	return WorksiteHandoverRequested{
		Common:           sampleCommon("Sam Lee"),
		FromName:         "Dalia Ng",
		WorksiteName:     "Harbour Clinic",
		WorksiteID:       "K7Q2M9X",
		HandoverURL:      "https://mycareconnect.example/handovers/4",
		ExpiresOn:        "December 19, 2026",
		SignsDeclaration: signsDeclaration,
	}
}

// handoverTemplateCases are the template rows of a worksite's handover
// and of the team's appointment of a site administrator.
func handoverTemplateCases() []templateCase {
	return []templateCase{
		{
			name: "handover requested, new signer", template: "worksite_handover_requested",
			data:    handoverRequested(true),
			subject: "Dalia Ng asks you to take over Harbour Clinic",
			want: []string{"Hello Sam Lee,", "K7Q2M9X", "is leaving", "sign a new declaration", "Notification Centre",
				"https://mycareconnect.example/handovers/4", "December 19, 2026"},
		},
		{
			name: "handover requested", template: "worksite_handover_requested",
			data:    handoverRequested(false),
			subject: "Dalia Ng asks you to take over Harbour Clinic",
			want: []string{
				"take the worksite over as its site administrator",
				"https://mycareconnect.example/handovers/4",
			},
		},
		{
			name: "handover accepted", template: "worksite_handover_answered",
			data: WorksiteHandoverAnswered{
				Common:       sampleCommon("Dalia Ng"),
				ToName:       "Sam Lee",
				WorksiteName: "Harbour Clinic",
				Accepted:     true,
				WorksiteURL:  "https://mycareconnect.example/worksites/3",
			},
			subject: "Sam Lee accepted to take over Harbour Clinic",
			want: []string{
				"is now its site administrator",
				"you can leave it",
				"https://mycareconnect.example/worksites/3",
			},
		},
		{
			name: "handover declined", template: "worksite_handover_answered",
			data: WorksiteHandoverAnswered{
				Common:       sampleCommon("Dalia Ng"),
				ToName:       "Sam Lee",
				WorksiteName: "Harbour Clinic",
				WorksiteURL:  "https://mycareconnect.example/worksites/3",
			},
			subject: "Sam Lee declined to take over Harbour Clinic",
			want:    []string{"You are still its site administrator", "https://mycareconnect.example/worksites/3"},
		},
		{
			name: "administrator appointed, to the new one", template: "worksite_admin_appointed",
			data: WorksiteAdminAppointed{
				Common:        sampleCommon("Sam Lee"),
				AppointedName: "Sam Lee",
				WorksiteName:  "Harbour Clinic",
				ToAppointed:   true,
				WorksiteURL:   "https://mycareconnect.example/worksites/3",
			},
			subject: "You are now a site administrator of Harbour Clinic",
			want: []string{
				"more than 90 days",
				"CareConnect team has made you a site administrator",
				"https://mycareconnect.example/worksites/3",
			},
		},
		{
			name: "administrator appointed, to the inactive one", template: "worksite_admin_appointed",
			data: WorksiteAdminAppointed{
				Common:        sampleCommon("Dalia Ng"),
				AppointedName: "Sam Lee",
				WorksiteName:  "Harbour Clinic",
				WorksiteURL:   "https://mycareconnect.example/worksites/3",
			},
			subject: "Sam Lee is now a site administrator of Harbour Clinic",
			want: []string{
				"You have not signed in",
				"You remain one too",
				"https://mycareconnect.example/worksites/3",
			},
		},
		{
			name: "membership left", template: "membership_left",
			data:    MembershipLeft{Common: sampleCommon("Dalia Ng"), WorksiteName: "Harbour Clinic"},
			subject: "You left Harbour Clinic",
			want:    []string{"You left", "Harbour Clinic", "no longer use CareConnect from this worksite"},
		},
	}
}
