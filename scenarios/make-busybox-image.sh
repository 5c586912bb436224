#!/usr/bin/env bash
# Builds a small busybox root filesystem as a tarball from Debian's busybox-static: /bin/busybox
# with one symlink per applet, the files a login-less container needs (/etc/passwd, /etc/group),
# /tmp, and /var/www/index.html for httpd demos. The result is what `netstack image import` and
# `docker import` take.
#
#   scenarios/make-busybox-image.sh OUTPUT.tar
set -euo pipefail

if [[ $# -ne 1 ]]; then
    echo "usage: $0 OUTPUT.tar" >&2
    exit 2
fi
out=$1
busybox=${BUSYBOX:-/bin/busybox}

if [[ ! -x $busybox ]]; then
    echo "error: $busybox not found; install Debian's busybox-static (scenarios/install-deps.sh)" >&2
    exit 1
fi
# A dynamically linked busybox would need the host's libc inside the image.
if command -v file >/dev/null && file -L "$busybox" | grep -q 'dynamically linked'; then
    echo "error: $busybox is dynamically linked; the image needs busybox-static" >&2
    exit 1
fi

root=$(mktemp -d)
chmod 0755 "$root"
trap 'rm -rf "$root"' EXIT

mkdir -p "$root"/{bin,sbin,etc,tmp,root,proc,sys,dev,var/www,usr/bin,usr/sbin}
chmod 1777 "$root/tmp"
chmod 0700 "$root/root"
cp "$busybox" "$root/bin/busybox"
chmod 0755 "$root/bin/busybox"

# Every applet as /bin/<name> -> busybox; the applet list comes from the binary itself.
for applet in $("$root/bin/busybox" --list); do
    [[ $applet == busybox ]] && continue
    ln -sf busybox "$root/bin/$applet"
done

cat > "$root/etc/passwd" <<'PASSWD'
root:x:0:0:root:/root:/bin/sh
daemon:x:1:1:daemon:/usr/sbin:/bin/false
www-data:x:33:33:www-data:/var/www:/bin/false
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
PASSWD
cat > "$root/etc/group" <<'GROUP'
root:x:0:
daemon:x:1:
www-data:x:33:
nogroup:x:65534:
GROUP
# Placeholders: the runtime bind-mounts the container's own hosts, resolv.conf and hostname here.
: > "$root/etc/hosts"
: > "$root/etc/resolv.conf"
: > "$root/etc/hostname"
cat > "$root/var/www/index.html" <<'HTML'
<!doctype html>
<html><head><title>netstack</title></head>
<body><p>hello from a netstack busybox container</p></body></html>
HTML
# busybox httpd serves its working directory by default, so `httpd -f -p 80` run from / (as in the
# README's demo) answers with the same page; `-h /var/www` serves only the web directory.
ln -s var/www/index.html "$root/index.html"

mkdir -p "$(dirname "$out")"
tmp_out="$out.tmp.$$"
# Numeric owners and a fixed order and mtime, so the same busybox gives the same image id.
tar --numeric-owner --owner=0 --group=0 --sort=name --mtime='2024-01-01 00:00:00' \
    -C "$root" -cf "$tmp_out" .
mv "$tmp_out" "$out"
echo "$out"
