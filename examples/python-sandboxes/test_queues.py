"""Suite two: seeding, the clock and the DLQ, in a sandbox of its own.

It runs at the same time as test_agents.py against the same binary; its
agent-001 stays online although the other suite stops its own.
"""

import unittest

from mockclient import Mock


class QueuesSuite(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.mock = Mock.sandbox()
        cls.mock.sign_in()

    @classmethod
    def tearDownClass(cls):
        cls.mock.close()

    def test_seed_answers_the_ids_it_made(self):
        status, res = self.mock.call("POST", "/_mock/seed", {"agents": [{"name": "Python Seeded Agent"}]})
        self.assertEqual(status, 200, res)
        self.assertEqual(len(res["agents"]), 1)
        status, agent = self.mock.call("GET", "/api/platform/agents/" + res["agents"][0])
        self.assertEqual((status, agent["name"]), (200, "Python Seeded Agent"))

    def test_dlq_retry_all_empties_it(self):
        status, res = self.mock.call("POST", "/api/platform/queues/notifications/dlq/retry", {})
        self.assertEqual(status, 200, res)
        _, page = self.mock.call("GET", "/api/platform/queues/notifications/dlq")
        self.assertEqual(page["total"], 0)

    def test_the_clock_is_this_sandboxs_own(self):
        _, before = self.mock.call("GET", "/_mock/clock")
        _, after = self.mock.call("POST", "/_mock/clock/advance", {"seconds": 60})
        self.assertNotEqual(before["now"], after["now"])

    def test_isolated_from_the_other_suite(self):
        status, agent = self.mock.call("GET", "/api/platform/agents/agent-001")
        self.assertEqual((status, agent["status"]), (200, "online"))
        self.assertEqual(self.mock.journal(path="/api/platform/agents/*/stop"), [])


if __name__ == "__main__":
    unittest.main()
