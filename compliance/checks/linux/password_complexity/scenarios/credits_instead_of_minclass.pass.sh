# Requiring one digit, one upper and one lower case letter by negative credits counts as three classes.
sed -i -E 's/^minclass.*/minclass = 0\ndcredit = -1\nucredit = -1\nlcredit = -1/' /etc/security/pwquality.conf
