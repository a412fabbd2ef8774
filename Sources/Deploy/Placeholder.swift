// Filled by the Deploy work.
