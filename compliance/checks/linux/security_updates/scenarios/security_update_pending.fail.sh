# An old version of a package that has a security update: without the patching role's record, the
# fix is pending since an unknown date, which is not "in time".
apt-get install -y -qq --allow-downgrades tzdata/bookworm >/dev/null
