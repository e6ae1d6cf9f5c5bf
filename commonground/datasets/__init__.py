"""Official public datasets: where they are published and how to fetch them."""
