# Release surface: --version is the build's git describe (or the tarball's VERSION), make install
# honours PREFIX and DESTDIR (binary, a man page per command, the systemd unit and sysusers file),
# every command of --help has a man page that groff formats without a warning, and the unit runs
# `wikigdelt run` as its own user with /var/lib/wikigdelt as home.
source "$(dirname "$0")/lib.sh"
root=$(cd "$(dirname "$0")/../.." && pwd)
build=$(dirname "$WG_BIN")

v=$("$WG_BIN" --version)
case "$v" in "wikigdelt "[0-9]*.[0-9]*) ;; *) fail "--version says '$v'" ;; esac
if [ -f "$root/VERSION" ]; then want=$(cat "$root/VERSION")
elif want=$(cd "$root" && git describe --tags --dirty 2>/dev/null); then want=${want#v}
else want="0.1.0-g$(cd "$root" && git describe --always --dirty)"; fi
# The binary is as old as its last build: compare the commit part, not the dirty flag.
assert_eq "${v%-dirty}" "wikigdelt ${want%-dirty}" "--version is git describe at build time"

# make install into a staging root; -o: install the binary as built (never rebuild it here).
make -s -C "$root" install BUILD="$build" -o "$build/wikigdelt" DESTDIR="$WG_TMP/root" PREFIX=/opt/wg >/dev/null
d="$WG_TMP/root/opt/wg"
[ -x "$d/bin/wikigdelt" ] || fail "make install: no bin/wikigdelt under PREFIX"
assert_eq "$("$d/bin/wikigdelt" --version)" "$v" "installed binary"
cmds=$("$WG_BIN" --help | sed -n '/^commands:/,$p' | awk 'NR>1 {print $1}')
[ -n "$cmds" ] || fail "no commands in --help"
for c in wikigdelt $(printf 'wikigdelt-%s\n' $cmds); do
    m="$d/share/man/man1/$c.1"
    [ -f "$m" ] || fail "no man page $c.1 installed"
    if command -v groff >/dev/null; then
        w=$(groff -man -ww -z "$m" 2>&1) ; [ -z "$w" ] || fail "groff warns on $c.1: $w"
    fi
    grep -q "^\.SH SYNOPSIS" "$m" || fail "$c.1 has no SYNOPSIS"
done
u="$d/lib/systemd/system/wikigdelt.service"
[ -f "$u" ] || fail "no systemd unit installed"
grep -qx "ExecStart=/opt/wg/bin/wikigdelt --home /var/lib/wikigdelt run" "$u" || fail "unit ExecStart: $(grep ExecStart "$u")"
grep -qx "User=wikigdelt" "$u" || fail "unit does not run as its own user"
grep -qx "KillSignal=SIGTERM" "$u" || fail "unit stop signal"
grep -q "^u wikigdelt .*/var/lib/wikigdelt" "$d/lib/sysusers.d/wikigdelt.conf" || fail "sysusers entry"
if command -v systemd-analyze >/dev/null; then
    systemd-analyze verify "$u" 2>&1 | grep -v "is not executable\|Failed to create.*/init.scope" | grep . && fail "systemd-analyze verify" || true
fi
# uninstall leaves nothing behind
make -s -C "$root" uninstall BUILD="$build" DESTDIR="$WG_TMP/root" PREFIX=/opt/wg >/dev/null
left=$(find "$WG_TMP/root" -type f | head -3)
assert_eq "$left" "" "make uninstall removes every installed file"
echo ok
