# What's new in this image: the first interactive login of each user after an
# update shows the changelog of the booted version and its manual steps, once
# (`bkt changelog motd`; `bkt changelog ack` marks the steps done).
# The Containerfile installs this file as /etc/profile.d/bkt-motd.sh, which
# login shells source: it defines no variables and is silent without bkt.
case $- in
*i*)
	if [ -t 1 ] && command -v bkt >/dev/null 2>&1; then
		bkt changelog motd 2>/dev/null || :
	fi
	;;
esac
