# Puts the host commands that bkt makes callable inside the toolbox
# (bkt shim add NAME: a script running flatpak-spawn --host NAME) on PATH
# for login shells. Installed by toolbox/Containerfile as
# /etc/profile.d/bkt-shims.sh.
case ":${PATH}:" in
*":${HOME}/.local/toolbox/shims:"*) ;;
*) PATH="${HOME}/.local/toolbox/shims:${PATH}" ;;
esac
export PATH
