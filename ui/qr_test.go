package ui

import (
	"image"
	"image/color"
	"strings"
	"testing"

	"github.com/makiuchi-d/gozxing"
	gzqr "github.com/makiuchi-d/gozxing/qrcode"
)

// screen paints a QR block as a terminal shows it: each cell one module
// wide and two high, the drawn half in fg, the empty half in bg.
func screen(block string, fg, bg, around color.Gray) image.Image {
	const px = 6
	rows := strings.Split(strings.TrimSuffix(block, "\n"), "\n")
	w := len([]rune(rows[0]))
	img := image.NewGray(image.Rect(0, 0, (w+8)*px, (len(rows)*2+8)*px))
	for i := range img.Pix {
		img.Pix[i] = around.Y // the terminal around the code
	}
	paint := func(x, y int, c color.Gray) {
		for dy := 0; dy < px; dy++ {
			for dx := 0; dx < px; dx++ {
				img.SetGray((x+4)*px+dx, (y+4)*px+dy, c)
			}
		}
	}
	for y, row := range rows {
		for x, r := range []rune(row) {
			top, bot := bg, bg
			switch r {
			case '█':
				top, bot = fg, fg
			case '▀':
				top = fg
			case '▄':
				bot = fg
			}
			paint(x, 2*y, top)
			paint(x, 2*y+1, bot)
		}
	}
	return img
}

func decode(t *testing.T, img image.Image) (string, error) {
	t.Helper()
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		t.Fatal(err)
	}
	res, err := gzqr.NewQRCodeReader().Decode(bmp, nil)
	if err != nil {
		return "", err
	}
	return res.GetText(), nil
}

// TestQRScansOnLightAndDarkTerminals: the enrolment QR decodes as a
// scanner sees it on a dark terminal and on a light one: with colour it
// is white on black whatever the background; without colour it takes the
// terminal's colours, right on a dark one, and inverted (i) on a light one.
func TestQRScansOnLightAndDarkTerminals(t *testing.T) {
	uri := "otpauth://totp/p2pdesk:you?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=p2pdesk"
	white, black := color.Gray{Y: 255}, color.Gray{Y: 0}
	// With colour the code sets its own (light modules white, dark ones
	// black) whatever the terminal's background around it.
	for name, around := range map[string]color.Gray{"dark": black, "light": white} {
		if got, err := decode(t, screen(qrBlock(uri, false), white, black, around)); err != nil || got != uri {
			t.Errorf("in colour on a %s terminal: %q %v", name, got, err)
		}
	}
	// Without colour it takes the terminal's: right as drawn on a dark
	// one, right inverted on a light one.
	if got, err := decode(t, screen(qrBlock(uri, false), white, black, black)); err != nil || got != uri {
		t.Errorf("no colour, dark terminal: %q %v", got, err)
	}
	if got, err := decode(t, screen(qrBlock(uri, true), black, white, white)); err != nil || got != uri {
		t.Errorf("no colour, light terminal, inverted: %q %v", got, err)
	}
}
