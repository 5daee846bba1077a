package core

import (
	"sync"
	"time"
)

// Customer statuses.
const (
	CustomerActive    = "active"
	CustomerSuspended = "suspended"
)

// Customer is a customer of the platform: the company its Business agents
// and workflows work for. Seed them with Seed or POST /_mock/seed; agents
// and workflows that name a customer_id must name a known customer.
type Customer struct {
	// CustomerID is the customer's id, e.g. "cust-001"; Seed makes one
	// ("cust-004", …) when it is empty.
	CustomerID  string `json:"customer_id"`
	CompanyName string `json:"company_name"`
	// Email is the customer's contact address; optional.
	Email string `json:"email,omitempty"`
	// Status is CustomerActive (the default) or CustomerSuspended.
	Status string `json:"status"`
	// CreatedAt defaults to the server's clock when seeded.
	CreatedAt time.Time `json:"created_at"`
}

// customerStore holds the customers, in seed order. The help desk serves
// it (search, overview); seeding fills it and checks references against
// it.
type customerStore struct {
	mu    *sync.Mutex // the World's one lock (World.share)
	order []string
	byID  map[string]*Customer
}

func newCustomerStore(now time.Time) *customerStore {
	st := &customerStore{mu: new(sync.Mutex), byID: map[string]*Customer{}}
	for _, c := range seedCustomers(now) {
		st.put(c)
	}
	return st
}

// put adds or replaces a customer; st.mu must be held or st unshared.
func (st *customerStore) put(c Customer) {
	if _, ok := st.byID[c.CustomerID]; !ok {
		st.order = append(st.order, c.CustomerID)
	}
	st.byID[c.CustomerID] = &c
}

// Get returns one customer.
func (st *customerStore) Get(id string) (Customer, bool) {
	st.mu.Lock()
	defer st.mu.Unlock()
	c, ok := st.byID[id]
	if !ok {
		return Customer{}, false
	}
	return *c, true
}

// List returns every customer, in order.
func (st *customerStore) List() []Customer {
	st.mu.Lock()
	defer st.mu.Unlock()
	out := make([]Customer, 0, len(st.order))
	for _, id := range st.order {
		out = append(out, *st.byID[id])
	}
	return out
}

// seedCustomers are the customers the default agents and workflows work
// for.
func seedCustomers(now time.Time) []Customer {
	day := 24 * time.Hour
	return []Customer{
		{CustomerID: custAcme, CompanyName: custAcmeName, Email: "ops@acme.example", Status: CustomerActive, CreatedAt: now.Add(-400 * day)},
		{CustomerID: custGlobex, CompanyName: custGlobexName, Email: "it@globex.example", Status: CustomerActive, CreatedAt: now.Add(-250 * day)},
		{CustomerID: custInitech, CompanyName: custInitechName, Email: "support@initech.example", Status: CustomerActive, CreatedAt: now.Add(-120 * day)},
	}
}
