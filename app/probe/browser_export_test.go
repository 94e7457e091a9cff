package probe

// BrowserProcess returns the pid and user-data directory of p's Chromium; 0 and "" when none
// runs.
func BrowserProcess(p *Prober) (pid int, dir string) {
	c := p.browser.current()
	if c == nil {
		return 0, ""
	}
	return c.pid, c.dir
}

// ProfileProcesses lists the live processes started with dir as their user-data directory.
func ProfileProcesses(dir string) []int { return profileProcesses(dir) }

// SetBrowserRecycle makes p replace its Chromium after n checks.
func SetBrowserRecycle(p *Prober, n int) { p.browser.recycle = n }
