# apt's proxy is not the policy's mirror: the patching role's setting is gone and the host uses
# the proxy it was installed with (in the lab, the bridge's apt proxy by address).
rm /etc/apt/apt.conf.d/90dengbao-package-mirror
