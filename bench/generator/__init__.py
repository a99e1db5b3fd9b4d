"""Safekeep's own group generator (issue 12, section 1): a group of a given size, loaded in bulk with rows
exactly as the services write them. `base` builds the organisation, its establishments, people and children;
`casework` plans five years of concerns and writes what the services would have written for each."""
