package calc

import "testing"

func TestFirst(t *testing.T) {
	if Add(1, 1) != 2 {
		t.Fatal("1+1")
	}
}

func TestSecond(t *testing.T) {
	t.Errorf("Add(2, 2) = %d, want 5", Add(2, 2))
}

func TestThird(t *testing.T) {
	t.Error("not run with -failfast")
}
