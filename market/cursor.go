package market

import (
	"encoding/base64"
	"strconv"
	"strings"
)

func encodeCursor(c AdCursor) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(c.Price, 10) + ":" + strconv.FormatInt(c.ID, 10)))
}

func decodeCursor(s string) (AdCursor, error) {
	bad := Errorf(CodeInvalidArgument, "cursor", "the page cursor is not valid: start again from the first page")
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
