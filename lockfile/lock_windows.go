package lockfile

import (
	"errors"
	"os"

	"golang.org/x/sys/windows"
)

// tryLock is LockFileEx on the whole file: tied to the open handle,
// released when it is closed or the process ends, like flock(2).
func tryLock(f *os.File) error {
	var ol windows.Overlapped
	err := windows.LockFileEx(windows.Handle(f.Fd()), windows.LOCKFILE_EXCLUSIVE_LOCK|windows.LOCKFILE_FAIL_IMMEDIATELY, 0, 1, 0, &ol)
	if errors.Is(err, windows.ERROR_LOCK_VIOLATION) {
		return ErrHeld
	}
	return err
}
