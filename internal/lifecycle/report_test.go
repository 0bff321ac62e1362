package lifecycle_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/bkt-dev/bkt/internal/fail"
	"github.com/bkt-dev/bkt/internal/lifecycle"
)

func TestReportOf(t *testing.T) {
	item := func(s string) lifecycle.Item { return lifecycle.Item{ID: s, State: lifecycle.OK} }
	rep := lifecycle.ReportOf("d", []string{"a", "b"}, nil, item)
	if rep.Domain != "d" || len(rep.Items) != 2 || rep.Items[1] != (lifecycle.Item{ID: "b", State: lifecycle.OK}) || rep.Error != "" {
		t.Errorf("rows: %+v", rep)
	}
	if rep := lifecycle.ReportOf("d", nil, nil, item); rep.Items == nil {
		t.Error("no rows: Items is nil, want an empty list")
	}
	failed := fmt.Errorf("listing: %w", fail.New(fail.External, "flatpak broke"))
	if rep := lifecycle.ReportOf("d", []string{"a"}, failed, item); rep.Error != "flatpak broke" || len(rep.Items) != 1 {
		t.Errorf("failed listing: %+v, want its headline next to the rows", rep)
	}
	if rep := lifecycle.ReportOf("d", nil, errors.New("plain"), item); rep.Error != "plain" {
		t.Errorf("plain error: %+v", rep)
	}
}
