// The printable report: a Print button (the page has no other script).
document.getElementById('print')?.addEventListener('click', () => window.print());
