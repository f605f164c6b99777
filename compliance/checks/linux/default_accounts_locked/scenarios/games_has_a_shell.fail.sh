usermod -s /bin/bash games
