package api

// Record is a trader's reputation, summed from day buckets that are
// themselves derived from orders: it is never stored as a constant.
type Record struct {
	// Orders30d counts orders completed in the window, on either side.
	Orders30d int64 `json:"orders30d"`
	// CompletionBP is completed / (completed + failed) in basis points;
	// nil for a trader with no finished order in the window.
	CompletionBP *int64 `json:"completionBP"`
	// AvgReleaseS is the mean seconds from "paid" to release as seller.
	AvgReleaseS *int64 `json:"avgReleaseSeconds"`
	// AvgPayS is the mean seconds from order to "paid" as buyer.
	AvgPayS *int64 `json:"avgPaySeconds"`
	// PositiveBP is positive / all ratings received, in basis points.
	PositiveBP *int64 `json:"positiveBP"`
	Ratings    int64  `json:"ratings"` // ratings received
}
