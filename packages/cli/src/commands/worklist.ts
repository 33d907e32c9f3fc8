import { worklist } from '@dicom-tools/network';
import type { CommandContext } from '../context.js';
import { printMatches } from './find.js';
import { queryKeys, scuSettings, type QueryFlags } from './_network-flags.js';

/** Flags of `dicom-tools worklist`. */
export type WorklistCommandOptions = QueryFlags;

/** Return keys asked for when the query names none. */
const DEFAULT_KEYS: Readonly<Record<string, string>> = {
  PatientName: '', PatientID: '', AccessionNumber: '', StudyInstanceUID: '',
  'ScheduledProcedureStepSequence[0].ScheduledStationAETitle': '', 'ScheduledProcedureStepSequence[0].Modality': '',
  'ScheduledProcedureStepSequence[0].ScheduledProcedureStepStartDate': '', 'ScheduledProcedureStepSequence[0].ScheduledProcedureStepStartTime': '',
  'ScheduledProcedureStepSequence[0].ScheduledProcedureStepID': '', 'ScheduledProcedureStepSequence[0].ScheduledProcedureStepDescription': '',
};

/** `dicom-tools worklist -k Key=Value...`: Modality Worklist C-FIND; exit 0 on a final success status, else 1. */
export async function runWorklist(flags: WorklistCommandOptions, context: CommandContext): Promise<number> {
  const { peer, options } = scuSettings(flags, context.signal);
  const keys = { ...DEFAULT_KEYS, ...queryKeys(flags) };
  const columns = Object.keys(keys).map((k) => k.replace(/\[\d+\]/g, ''));
  return printMatches(worklist(peer, keys, options), columns, flags, context);
}
