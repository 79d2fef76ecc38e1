package domain

// Norm marks a good and a bad value of one rate, in percent. For rates where
// lower is better (undelivered, expired, unsubscribed) Green is below Red.
type Norm struct {
	Green float64 `json:"green"`
	Red   float64 `json:"red"`
}

// Norms maps a rate name to its marks.
type Norms map[string]Norm

// DefaultNorms are the marks an account starts with. They describe typical
// Viber promotional campaigns and are meant to be tuned per account.
func DefaultNorms() Norms {
	return Norms{
		"delivered":    {Green: 95, Red: 80},
		"read":         {Green: 60, Red: 30},
		"ctr":          {Green: 5, Red: 1},
		"ctor":         {Green: 10, Red: 2},
		"undelivered":  {Green: 3, Red: 10},
		"expired":      {Green: 1, Red: 5},
		"unsubscribed": {Green: 0.2, Red: 1},
	}
}

// Verdict rates a value against the norm: "good" at or beyond the green
// mark, "bad" at or beyond the red mark, "normal" between them. A value
// exactly on a mark takes that mark's verdict.
func (n Norm) Verdict(percent float64) string {
	higherIsBetter := n.Green >= n.Red
	if higherIsBetter {
		switch {
		case percent >= n.Green:
			return "good"
		case percent <= n.Red:
			return "bad"
		}
		return "normal"
	}
	switch {
	case percent <= n.Green:
		return "good"
	case percent >= n.Red:
		return "bad"
	}
	return "normal"
}
