package ui

import (
	"fmt"
	"html"
	"html/template"
	"math"
	"net/http"
	"strings"
	"time"

	"github.com/vibereport/vibereport/internal/domain"
	"github.com/vibereport/vibereport/internal/report"
)

// activityView is the activity chart of a report.
type activityView struct {
	Empty bool
	// SVG is the chart, built by activityChart with every text escaped.
	SVG template.HTML
	// StepLabel names the width of one point, such as "hour".
	StepLabel string
}

// Chart geometry in SVG user units. The SVG scales to the page's width.
const (
	chartWidth  = 960
	chartHeight = 280
	chartLeft   = 56
	chartRight  = 16
	chartTop    = 34
	chartBottom = 44
	// chartMaxTicks bounds the time labels on the x axis.
	chartMaxTicks = 8
)

// activity renders the campaign's delivered, read and clicked counts over
// time, from its own send time, in the account's time zone.
func (h *Handler) activity(r *http.Request, v *viewer, c *domain.Campaign) (activityView, error) {
	series, err := report.Activity(r.Context(), h.db, v.Account, c)
	if err != nil {
		return activityView{}, err
	}
	total := int64(0)
	for _, p := range series.Points {
		total += p.Delivered + p.Read + p.Clicked
	}
	if total == 0 {
		return activityView{Empty: true}, nil
	}
	return activityView{
		SVG:       activityChart(series, v.Account.Location()),
		StepLabel: T(DefaultLang, "activity.step."+series.Step),
	}, nil
}

// chartSeries is one line of the chart.
type chartSeries struct {
	class string
	label string
	value func(report.ActivityPoint) int64
}

var activityLines = []chartSeries{
	{"s-delivered", "metric.delivered", func(p report.ActivityPoint) int64 { return p.Delivered }},
	{"s-read", "metric.read", func(p report.ActivityPoint) int64 { return p.Read }},
	{"s-clicked", "metric.clicked", func(p report.ActivityPoint) int64 { return p.Clicked }},
}

// activityChart draws the series as an inline SVG line chart with axes,
// grid lines, local-time labels and a legend.
func activityChart(s *report.ActivitySeries, loc *time.Location) template.HTML {
	points := s.Points
	plotW := float64(chartWidth - chartLeft - chartRight)
	plotH := float64(chartHeight - chartTop - chartBottom)

	var peak int64
	for _, p := range points {
		for _, line := range activityLines {
			peak = max(peak, line.value(p))
		}
	}
	top := niceCeiling(peak)
	x := func(i int) float64 {
		if len(points) == 1 {
			return chartLeft + plotW/2
		}
		return chartLeft + plotW*float64(i)/float64(len(points)-1)
	}
	y := func(v int64) float64 { return chartTop + plotH - plotH*float64(v)/float64(top) }

	var b strings.Builder
	fmt.Fprintf(&b, `<svg viewBox="0 0 %d %d" role="img" aria-labelledby="activity-title" data-points="%d">`,
		chartWidth, chartHeight, len(points))
	fmt.Fprintf(&b, `<title id="activity-title">%s</title>`, html.EscapeString(T(DefaultLang, "activity.title")))

	// Horizontal grid lines with their values.
	for i := 0; i <= 4; i++ {
		v := top * int64(i) / 4
		yy := y(v)
		fmt.Fprintf(&b, `<line class="grid" x1="%d" x2="%d" y1="%.1f" y2="%.1f"></line>`, chartLeft, chartWidth-chartRight, yy, yy)
		fmt.Fprintf(&b, `<text class="tick" x="%d" y="%.1f" text-anchor="end">%s</text>`, chartLeft-8, yy+4, formatCount(v))
	}
	fmt.Fprintf(&b, `<line class="axis" x1="%d" x2="%d" y1="%.1f" y2="%.1f"></line>`, chartLeft, chartWidth-chartRight, y(0), y(0))
	fmt.Fprintf(&b, `<line class="axis" x1="%d" x2="%d" y1="%d" y2="%.1f"></line>`, chartLeft, chartLeft, chartTop, y(0))

	// Time labels, at most chartMaxTicks, the first being the send time.
	every := max(1, int(math.Ceil(float64(len(points))/chartMaxTicks)))
	previousDay := ""
	for i := 0; i < len(points); i += every {
		local := points[i].Start.In(loc)
		label, day := chartTimeLabel(local, s.Step), local.Format("2 Jan")
		if s.Step != report.StepDay && day != previousDay {
			label = day + " " + label
		}
		previousDay = day
		fmt.Fprintf(&b, `<line class="axis" x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f"></line>`, x(i), x(i), y(0), y(0)+4)
		fmt.Fprintf(&b, `<text class="tick" x="%.1f" y="%.1f" text-anchor="middle">%s</text>`, x(i), y(0)+18, html.EscapeString(label))
	}

	for _, line := range activityLines {
		var path strings.Builder
		for i, p := range points {
			fmt.Fprintf(&path, "%.1f,%.1f ", x(i), y(line.value(p)))
		}
		fmt.Fprintf(&b, `<polyline class="series %s" points="%s" fill="none"></polyline>`, line.class, strings.TrimSpace(path.String()))
		if len(points) <= 96 {
			for i, p := range points {
				fmt.Fprintf(&b, `<circle class="%s" cx="%.1f" cy="%.1f" r="2.5"><title>%s: %s, %s</title></circle>`,
					line.class, x(i), y(line.value(p)), html.EscapeString(T(DefaultLang, line.label)),
					formatCount(line.value(p)), html.EscapeString(points[i].Start.In(loc).Format("2 Jan 2006, 15:04")))
			}
		}
	}

	// Legend along the top.
	for i, line := range activityLines {
		lx := chartLeft + i*130
		fmt.Fprintf(&b, `<rect class="%s" x="%d" y="8" width="14" height="4" rx="1"></rect>`, line.class, lx)
		fmt.Fprintf(&b, `<text class="legend-text" x="%d" y="14">%s</text>`, lx+20, html.EscapeString(T(DefaultLang, line.label)))
	}
	b.WriteString(`</svg>`)
	// Every text above went through html.EscapeString or is a number.
	return template.HTML(b.String())
}

// chartTimeLabel writes a point's start for the x axis.
func chartTimeLabel(t time.Time, step string) string {
	if step == report.StepDay {
		return t.Format("2 Jan")
	}
	return t.Format("15:04")
}

// niceCeiling returns the smallest of 1, 2, 4, 5 or 8 times a power of ten
// that is at least n and divisible by 4, so the grid's quarter values are whole.
func niceCeiling(n int64) int64 {
	if n <= 4 {
		return 4
	}
	for magnitude := int64(1); ; magnitude *= 10 {
		for _, f := range []int64{1, 2, 4, 5, 8} {
			if f*magnitude >= n && f*magnitude%4 == 0 {
				return f * magnitude
			}
		}
	}
}
