"""The second proof bench: the suite run against software nobody here wrote.

`test_pygeoapi.py` runs the bundled profiles against pygeoapi (an OGC API server from PyPI) on
loopback; `test_published_openapi.py` runs the OpenAPI checks against government OpenAPI
documents as they are published (tests/bench/openapi/, sources and licences in SOURCE.txt), each
served by a loopback stand-in agency; `test_bench_findings.py` pins, on small stand-ins, the
suite bugs the bench led to (all fixed). Every asserted verdict was checked by hand; the comment
beside it says why it is right. Where the suite is wrong, the test asserts the right verdict and
is a strict xfail naming the suite bug until it is fixed. Every run also asserts that no result
is an internal error and that the suite reached nothing but the target (support.py), and the
servers' logs that it sent no write it was not allowed to send.
"""
