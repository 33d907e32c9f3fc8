export { corpusDir, corpusFile, corpusFiles, CORPUS_REJECTS } from './corpus.js';
