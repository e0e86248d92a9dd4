package market

import (
	"encoding/base64"
	"strconv"
	"strings"

	"p2pdesk/api"
)

func encodeCursor(c AdCursor) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(c.Price, 10) + ":" + strconv.FormatInt(c.ID, 10)))
}

func decodeCursor(s string) (AdCursor, error) {
	bad := api.Errorf(api.CodeInvalidArgument, "cursor", "the page cursor is not valid: start again from the first page")
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return AdCursor{}, bad
	}
	p, id, ok := strings.Cut(string(b), ":")
	if !ok {
		return AdCursor{}, bad
	}
	price, err1 := strconv.ParseInt(p, 10, 64)
	adID, err2 := strconv.ParseInt(id, 10, 64)
	if err1 != nil || err2 != nil {
		return AdCursor{}, bad
	}
	return AdCursor{Price: price, ID: adID}, nil
}

// A ranked search's cursor is an offset into its pool, marked so that a
// price cursor is not taken for one (or the other way round).
func encodeRankCursor(offset int) string {
	return base64.RawURLEncoding.EncodeToString([]byte("rank:" + strconv.Itoa(offset)))
}

func decodeRankCursor(s string) (int, error) {
	bad := api.Errorf(api.CodeInvalidArgument, "cursor", "the page cursor is not valid: start again from the first page")
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return 0, bad
	}
	n, ok := strings.CutPrefix(string(b), "rank:")
	if !ok {
		return 0, bad
	}
	off, err := strconv.Atoi(n)
	if err != nil || off < 0 || off > rankPool {
		return 0, bad
	}
	return off, nil
}
