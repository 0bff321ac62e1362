package lifecycle

import "github.com/bkt-dev/bkt/internal/fail"

// ReportOf is the Report of a domain whose status is a list of rows: item
// says what one row is as an Item. err, when the listing failed, becomes
// the Report's Error next to the rows it could still give (those it could
// not read are Unknown). Items is never nil, so every domain's JSON has a
// list.
func ReportOf[R any](domain string, rows []R, err error, item func(R) Item) Report {
	rep := Report{Domain: domain, Items: make([]Item, 0, len(rows))}
	if err != nil {
		rep.Error = fail.As(err).Message
	}
	for _, r := range rows {
		rep.Items = append(rep.Items, item(r))
	}
	return rep
}
