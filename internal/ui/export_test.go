package ui

// FormatPercent is formatPercent for the browser tests, which compare
// page figures with the JSON API's.
var FormatPercent = formatPercent
