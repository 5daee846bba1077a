"""Suite one: agents, the journal and faults, in a sandbox of its own."""

import unittest

from mockclient import Mock


class AgentsSuite(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.mock = Mock.sandbox()
        cls.mock.sign_in()

    @classmethod
    def tearDownClass(cls):
        cls.mock.close()

    def test_stop_is_journaled_with_the_caller(self):
        status, agent = self.mock.call("POST", "/api/platform/agents/agent-001/stop")
        self.assertEqual(status, 200, agent)
        self.assertEqual(agent["status"], "offline")
        stops = self.mock.journal(method="POST", path="/api/platform/agents/*/stop")
        self.assertEqual(len(stops), 1)
        self.assertEqual(stops[0]["caller"], {"email": "ops@waooaw.ai", "role": "operator"})
        self.assertNotIn("Authorization", stops[0]["headers"])

    def test_a_fault_is_listed_with_its_hits(self):
        status, fault = self.mock.call("POST", "/_mock/faults",
                                       {"method": "GET", "path": "/api/platform/metrics", "status": 503, "count": 1})
        self.assertEqual(status, 201, fault)
        self.assertEqual(self.mock.call("GET", "/api/platform/metrics")[0], 503)
        self.assertEqual(self.mock.call("GET", "/api/platform/metrics")[0], 200)
        _, faults = self.mock.call("GET", "/_mock/faults")
        mine = [f for f in faults["faults"] if f["id"] == fault["id"]]
        self.assertEqual(mine[0]["hits"], 1)
        self.assertFalse(mine[0]["active"])
        self.assertEqual(self.mock.call("DELETE", "/_mock/faults/" + fault["id"])[0], 204)

    def test_a_misspelled_fault_is_refused(self):
        status, body = self.mock.call("POST", "/_mock/faults", {"path": "/api/platform/agent", "status": 503})
        self.assertEqual(status, 400)
        self.assertIn("nearest: ", body["error"]["message"])


if __name__ == "__main__":
    unittest.main()
