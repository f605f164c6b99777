systemd-run -q --unit=scenario-telnet python3 -c 'import socket, time; s = socket.socket(); s.bind(("0.0.0.0", 23)); s.listen(); time.sleep(3600)'
sleep 0.5
