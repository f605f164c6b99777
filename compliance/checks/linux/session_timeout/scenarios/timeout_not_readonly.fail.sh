sed -i '/readonly TMOUT/d' /etc/profile.d/dengbao-tmout.sh
