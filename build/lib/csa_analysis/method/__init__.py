"""The analysis: volume, prevalence, harm, costs, scoring, delivery, RAG, disclosure."""
