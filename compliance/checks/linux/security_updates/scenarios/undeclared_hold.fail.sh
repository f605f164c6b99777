# An administrator's hold that no policy declares keeps a security fix out for ever.
apt-get install -y -qq --allow-downgrades libexpat1/bookworm >/dev/null
apt-mark hold libexpat1 >/dev/null
