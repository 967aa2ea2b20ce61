// Saved queries for exploring the precedent knowledge graph in Neo4j Browser.
//
// The Browser guide (GET /browser-guide) is built from this file, so what the guide runs and what is
// written here never drift apart. Each query starts with a header line `// ==== <id> | <title>`,
// followed by comment lines that explain it (they become the slide's text), then the Cypher.
//
// Every query reads one project, named by the Browser parameter $project; set it first with
//   :param project => 'default'
// (the project npm start creates; an API key opens one project, named when the key is created).

// ==== experiment | An experiment, its trials and its best configuration
// The most recent experiment that warm-started from earlier ones (or else the most recent one), with
// its dataset and model, every trial (captioned with its number and value), and the configuration of
// its best trial. Warm-started suggestions link to the prior trials they came from; see "Where a
// suggestion came from".
MATCH (:Project {name: $project})-[:HAS_EXPERIMENT]->(e:Experiment)
WITH e ORDER BY EXISTS { (e)-[:WARM_STARTED_FROM]->() } DESC, e.createdAt DESC LIMIT 1
MATCH context = (:Dataset)<-[:ON_DATASET]-(e)-[:OF_MODEL]->(:Model)
OPTIONAL MATCH trials = (e)-[:HAS_TRIAL]->(:Trial)
OPTIONAL MATCH best = (:Trial {id: e.bestTrialId})-[:EVALUATES]->(:Config)
RETURN context, collect(trials) AS trials, best;

// ==== similar-datasets | The datasets most similar to a given one
// Nearest neighbours by meta-features among the project's datasets (64-d hashed embedding, scored like
// the vector index `dataset_meta_features`: 1 / (1 + distance²)). The given dataset is the project's most
// recently added one; put `WHERE d.name = 'australian'` before the WITH to pick another. The index spans
// every project, so other projects' datasets can fill its answer; the project's own are scored exactly.
MATCH (p:Project {name: $project})-[:HAS_DATASET]->(d:Dataset)
WHERE d.embedding IS NOT NULL
WITH p, d ORDER BY d.createdAt DESC LIMIT 1
MATCH (p)-[:HAS_DATASET]->(similar:Dataset)
WHERE similar <> d AND similar.embedding IS NOT NULL
RETURN d AS dataset, similar, round(vector.similarity.euclidean(d.embedding, similar.embedding), 4) AS similarity
ORDER BY similarity DESC LIMIT 5;

// ==== provenance | Where a suggestion came from
// The most recent optimizer suggestion that reused knowledge: its trial, the prior trials it was
// derived from (SUGGESTED_FROM, with the weight each had), the prior experiments those belong to,
// their datasets, and the WARM_STARTED_FROM link with the similarity that selected each prior.
MATCH (:Project {name: $project})-[:HAS_EXPERIMENT]->(e:Experiment)-[:HAS_TRIAL]->(t:Trial)
WHERE EXISTS { (t)-[:SUGGESTED_FROM]->() }
WITH e, t ORDER BY t.createdAt DESC, t.number DESC LIMIT 1
MATCH suggestion = (e)-[:HAS_TRIAL]->(t)-[:SUGGESTED_FROM]->(:Trial)<-[:HAS_TRIAL]-(prior:Experiment)-[:ON_DATASET]->(:Dataset)
OPTIONAL MATCH warm = (e)-[:WARM_STARTED_FROM]->(prior)
RETURN suggestion, warm;

// ==== config-across-datasets | One configuration across datasets
// Configurations are shared nodes: every trial of the same model with the same configuration
// EVALUATES one (:Config). This takes the configuration evaluated on the most datasets and shows each
// completed trial of it with its experiment and dataset; the table view lists the values side by side.
MATCH (:Project {name: $project})-[:HAS_EXPERIMENT]->(e:Experiment)-[:HAS_TRIAL]->(:Trial {state: 'completed'})-[:EVALUATES]->(c:Config)
WITH c, count(DISTINCT e) AS experiments ORDER BY experiments DESC, c.hash LIMIT 1
MATCH run = (c)<-[:EVALUATES]-(t:Trial {state: 'completed'})<-[:HAS_TRIAL]-(:Experiment)-[:ON_DATASET]->(d:Dataset)
RETURN run, d.name AS dataset, t.value AS value
ORDER BY value DESC;

// ==== best-configs | The best configurations for a model across all experiments
// For each configuration of the model (the project's first model by name; put
// `WHERE m.name = 'svm'` after its MATCH to choose), in how many experiments it was the best trial,
// on which datasets, and its mean value there (ties go to the better mean, whatever the direction).
// Best trials are kept on the experiment (e.bestTrialId), so this never sorts every trial.
MATCH (:Project {name: $project})-[:HAS_MODEL]->(m:Model)
WITH m ORDER BY m.name LIMIT 1
MATCH (m)<-[:OF_MODEL]-(e:Experiment)-[:ON_DATASET]->(d:Dataset)
MATCH (best:Trial {id: e.bestTrialId})-[:EVALUATES]->(c:Config)
WITH m, c, e.objectiveMetric AS metric, count(e) AS timesBest, collect(d.name) AS datasets,
     avg(best.value) AS meanValue, avg(CASE e.direction WHEN 'minimize' THEN -best.value ELSE best.value END) AS score
RETURN m.name AS model, c.name AS configuration, metric, timesBest, datasets, round(meanValue, 4) AS meanValue
ORDER BY timesBest DESC, score DESC LIMIT 10;
