"""smtpd_fail.py - an aiosmtpd handler that refuses, for the SMTP tests:

    PYTHONPATH=t/lib /usr/bin/python3 -m aiosmtpd -n -l 127.0.0.1:PORT \
        -c smtpd_fail.Handler

RCPT TO a nobody@ address gets "550 5.1.1 no such user"; any other
recipient is accepted and the DATA that follows gets "451 4.3.0 try later".
"""


class Handler:
    async def handle_RCPT(self, server, session, envelope, address,
                          rcpt_options):
        if address.lower().startswith("nobody@"):
            return "550 5.1.1 no such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        return "451 4.3.0 try later"
