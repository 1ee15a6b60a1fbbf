package portal

import (
	"slices"
	"strings"
	"testing"
)

// trainingAnswers returns the right answer to every question, then applies
// the changes: a value of -1 removes the question's answer.
func trainingAnswers(changes map[string]int) map[string]int {
	a := map[string]int{}
	for _, q := range TrainingQuiz {
		a[q.ID] = q.Answer
	}
	for id, v := range changes {
		if v == -1 {
			delete(a, id)
			continue
		}
		a[id] = v
	}
	return a
}

// trainingWrong is an option other than the right one for question i.
func trainingWrong(i int) int { return (TrainingQuiz[i].Answer + 1) % len(TrainingQuiz[i].Options) }

func TestTrainingGradeQuiz(t *testing.T) {
	if len(TrainingQuiz) != 10 {
		t.Fatalf("the cases below assume 10 questions, have %d", len(TrainingQuiz))
	}
	id := func(i int) string { return TrainingQuiz[i].ID }
	for _, tc := range []struct {
		name        string
		answers     map[string]int
		wantScore   int
		wantPassed  bool
		wantMissing []string
	}{
		{"all right", trainingAnswers(nil), 100, true, nil},
		{"one wrong", trainingAnswers(map[string]int{id(3): trainingWrong(3)}), 90, true, nil},
		{"two wrong: exactly the pass mark", trainingAnswers(map[string]int{
			id(0): trainingWrong(0), id(9): trainingWrong(9)}), 80, true, nil},
		{"three wrong: just below the pass mark", trainingAnswers(map[string]int{
			id(0): trainingWrong(0), id(4): trainingWrong(4), id(9): trainingWrong(9)}), 70, false, nil},
		{"one unanswered", trainingAnswers(map[string]int{id(5): -1}), 90, false, []string{id(5)}},
		{"two unanswered, listed in quiz order", trainingAnswers(map[string]int{id(7): -1, id(1): -1}), 80, false,
			[]string{id(1), id(7)}},
		{"answer out of range counts as unanswered", trainingAnswers(map[string]int{
			id(2): len(TrainingQuiz[2].Options), id(6): -2}), 80, false, []string{id(2), id(6)}},
		{"nothing answered", map[string]int{}, 0, false, []string{id(0), id(1), id(2), id(3), id(4),
			id(5), id(6), id(7), id(8), id(9)}},
		{"nil answers", nil, 0, false, []string{id(0), id(1), id(2), id(3), id(4),
			id(5), id(6), id(7), id(8), id(9)}},
		{"unknown question IDs ignored", trainingAnswers(map[string]int{"q99": 0}), 100, true, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			score, passed, missing := GradeQuiz(tc.answers)
			if got, want := score, tc.wantScore; got != want {
				t.Errorf("score = %d, want %d", got, want)
			}
			if got, want := passed, tc.wantPassed; got != want {
				t.Errorf("passed = %v, want %v", got, want)
			}
			if got, want := missing, tc.wantMissing; !slices.Equal(got, want) {
				t.Errorf("missing = %v, want %v", got, want)
			}
		})
	}
}

func TestTrainingModules(t *testing.T) {
	if got, want := len(TrainingModules), 4; got != want {
		t.Fatalf("%d modules, want %d", got, want)
	}
	for _, m := range TrainingModules {
		t.Run(m.Title, func(t *testing.T) {
			if strings.TrimSpace(m.Title) == "" {
				t.Error("module without a title")
			}
			if n := len(m.Paragraphs); n < 3 || n > 6 {
				t.Errorf("%d paragraphs, want 3 to 6", n)
			}
			for i, p := range m.Paragraphs {
				if strings.TrimSpace(p) == "" {
					t.Errorf("paragraph %d is empty", i)
				}
				if len(p) > 600 {
					t.Errorf("paragraph %d is %d bytes; keep paragraphs short", i, len(p))
				}
			}
		})
	}
}

func TestTrainingQuizWellFormed(t *testing.T) {
	if len(TrainingQuiz) < 8 {
		t.Errorf("%d questions, want at least 8", len(TrainingQuiz))
	}
	seen := map[string]bool{}
	for _, q := range TrainingQuiz {
		t.Run(q.ID, func(t *testing.T) {
			if q.ID == "" || seen[q.ID] {
				t.Errorf("question ID %q is empty or repeated", q.ID)
			}
			seen[q.ID] = true
			if q.Text == "" || q.Explanation == "" {
				t.Error("question without text or explanation")
			}
			if len(q.Options) < 3 {
				t.Errorf("%d options, want at least 3", len(q.Options))
			}
			if q.Answer < 0 || q.Answer >= len(q.Options) {
				t.Errorf("answer %d outside the %d options", q.Answer, len(q.Options))
			}
			opts := map[string]bool{}
			for _, o := range q.Options {
				if o == "" || opts[o] {
					t.Errorf("option %q is empty or repeated", o)
				}
				opts[o] = true
			}
		})
	}
}

func TestTrainingPassMarkReachable(t *testing.T) {
	// The pass mark must be reachable with at least one mistake, so a
	// single slip does not mean taking the course again.
	n := len(TrainingQuiz)
	if got := (n - 1) * 100 / n; got < TrainingPassMark {
		t.Errorf("one wrong answer of %d scores %d%%, below the pass mark of %d%%", n, got, TrainingPassMark)
	}
}
