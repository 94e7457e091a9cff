package api

// RegisteredRoutes exposes the API patterns given to the mux, for the OpenAPI agreement test.
func (h *Handler) RegisteredRoutes() []string { return h.registered }
