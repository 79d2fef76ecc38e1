package ui

import (
	"fmt"
	"math"

	"github.com/vibereport/vibereport/internal/domain"
	"github.com/vibereport/vibereport/internal/report"
)

// metricRow is one line of the performance indicators table.
type metricRow struct {
	// Metric is the contact list the count opens; "" when the count has
	// no list, as total clicks and per-link clicks do.
	Metric string
	// Label is the catalog key of the row's caption; rows with a Metric
	// take the metric's name when Label is empty.
	Label string
	// LinkURL is set on the rows of single tracked links.
	LinkURL string
	// Sub marks a row that details the row above it.
	Sub   bool
	Count int64
	// Total marks a count of events rather than unique contacts.
	Total bool
	Rates []rateCell
	// NoteKey is the catalog key of a remark under the label.
	NoteKey string
}

// rateCell is one rate of a row with its place on the norm scale.
type rateCell struct {
	// Name is the rate's key in report.Report.Rates and in the norms.
	Name            string
	Fraction        float64
	Numerator       int64
	Denominator     int64
	DenominatorName string
	// Norm is nil for rates the account sets no marks for.
	Norm    *domain.Norm
	Verdict string
	Scale   scale
}

// Defined reports whether the rate has a denominator to divide by.
func (c rateCell) Defined() bool { return c.Denominator > 0 }

// Percent is the rate in percent.
func (c rateCell) Percent() float64 { return c.Fraction * 100 }

// scale places a rate and its norm marks on a horizontal bar. Positions
// are percentages of the bar's width.
type scale struct {
	// Max is the percentage at the right end. Low rates such as
	// unsubscribes get a short scale, so their marks do not sit on top of
	// each other at the left edge.
	Max   float64
	Value float64
	Green float64
	Red   float64
}

// niceMaxima are the right ends a scale may have, in percent.
var niceMaxima = []float64{1, 2, 5, 10, 20, 25, 50, 100}

func newScale(percent float64, norm *domain.Norm) scale {
	top := percent
	if norm != nil {
		top = math.Max(top, math.Max(norm.Green, norm.Red))
	}
	top *= 1.25
	s := scale{Max: 100}
	for _, m := range niceMaxima {
		if top <= m {
			s.Max = m
			break
		}
	}
	position := func(p float64) float64 { return math.Min(100, math.Max(0, p/s.Max*100)) }
	s.Value = position(percent)
	if norm != nil {
		s.Green = position(norm.Green)
		s.Red = position(norm.Red)
	}
	return s
}

// newRate builds a rate cell, rating it against the account's norm when
// there is one.
func newRate(name string, r report.Rate, norms domain.Norms) rateCell {
	c := rateCell{
		Name:            name,
		Fraction:        r.Value,
		Numerator:       r.Numerator,
		Denominator:     r.Denominator,
		DenominatorName: r.DenominatorName,
	}
	if n, ok := norms[name]; ok {
		c.Norm = &n
		if c.Defined() {
			c.Verdict = n.Verdict(c.Percent())
		}
	}
	c.Scale = newScale(c.Percent(), c.Norm)
	return c
}

// ratio builds a report.Rate for counts the report has no rate for, such
// as one failure reason over sent.
func ratio(numerator, denominator int64, denominatorName string) report.Rate {
	r := report.Rate{Numerator: numerator, Denominator: denominator, DenominatorName: denominatorName}
	if denominator > 0 {
		r.Value = float64(numerator) / float64(denominator)
	}
	return r
}

// metricRows lays out the performance indicators in product order: the
// audience, what was not sent and why, then the life of what was sent.
func metricRows(rep *report.Report, norms domain.Norms) []metricRow {
	m := rep.Metrics
	rate := func(name string) rateCell { return newRate(name, rep.Rates[name], norms) }

	rows := []metricRow{
		{Metric: string(domain.MetricAudience), Count: m.Audience},
		{Metric: string(domain.MetricNotSent), Count: m.NotSent.Total()},
	}
	notSent := map[domain.NotSentReason]int64{
		domain.NotSentInaccessible:   m.NotSent.Inaccessible,
		domain.NotSentOverPlanLimit:  m.NotSent.OverPlanLimit,
		domain.NotSentAnnoyanceLimit: m.NotSent.AnnoyanceLimit,
		domain.NotSentDuplicate:      m.NotSent.Duplicate,
	}
	for _, reason := range domain.NotSentReasons {
		metric := string(domain.NotSentMetric(reason))
		rows = append(rows, metricRow{Metric: metric, Sub: true, Count: notSent[reason], Rates: []rateCell{rate(metric)}})
	}

	rows = append(rows,
		metricRow{Metric: string(domain.MetricSent), Count: m.Sent, Rates: []rateCell{rate("sent")}},
		metricRow{Metric: string(domain.MetricDelivered), Count: m.Delivered, Rates: []rateCell{rate("delivered")}},
		metricRow{Metric: string(domain.MetricRead), Count: m.Read, Rates: []rateCell{rate("read")}, NoteKey: "report.read-note"},
		metricRow{Metric: string(domain.MetricClicked), Count: m.Clicked, Rates: []rateCell{rate("ctr"), rate("ctor")}},
		metricRow{Label: "metric.clicks_total", Sub: true, Count: rep.Clicks.Total, Total: true},
	)
	for _, link := range rep.Clicks.Links {
		rows = append(rows, metricRow{
			LinkURL: link.URL,
			Sub:     true,
			Count:   link.Unique,
			NoteKey: "report.link-note",
			Rates:   []rateCell{newRate("", ratio(link.Unique, m.Clicked, "clicked"), nil)},
		})
	}

	rows = append(rows, metricRow{Metric: string(domain.MetricUndelivered), Count: m.Undelivered, Rates: []rateCell{rate("undelivered")}})
	for _, reason := range domain.FailureReasons {
		n := rep.UndeliveredReasons[string(reason)]
		rows = append(rows, metricRow{
			Metric: string(domain.UndeliveredMetric(reason)),
			Sub:    true,
			Count:  n,
			Rates:  []rateCell{newRate("", ratio(n, m.Sent, "sent"), nil)},
		})
	}
	rows = append(rows,
		metricRow{Metric: string(domain.MetricExpired), Count: m.Expired, Rates: []rateCell{rate("expired")}},
		metricRow{Metric: string(domain.MetricUnsubscribed), Count: m.Unsubscribed, Rates: []rateCell{rate("unsubscribed")}},
		metricRow{Metric: string(domain.MetricPending), Count: m.Pending, Rates: []rateCell{rate("pending")}},
	)
	return rows
}

// normTitle explains a rate's marks for the scale's tooltip.
func normTitle(lang string, c rateCell) string {
	if c.Norm == nil {
		return T(lang, "norm.none")
	}
	key := "norm.higher-better"
	if c.Norm.Green < c.Norm.Red {
		key = "norm.lower-better"
	}
	return T(lang, key, formatMark(c.Norm.Green), formatMark(c.Norm.Red))
}

// formatMark writes a norm mark in percent without trailing zeros.
func formatMark(p float64) string {
	return fmt.Sprintf("%g%%", p)
}
