package alipay_test

import (
	"errors"

	"p2pdesk/alipay"
)

func asErr(err error, target **alipay.Error) bool { return errors.As(err, target) }
