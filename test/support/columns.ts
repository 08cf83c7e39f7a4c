/**
 * The standard input header (README "Input"): the product's scalar fields in their order, with the
 * four numbered modifier and diagnosis columns after procedure_code. The names come from the header
 * mapping itself, so a field renamed there cannot leave the synthetic batches behind.
 */
import { SCALAR_FIELDS, type ScalarField } from '../../functions/core/intake/columns.js';

export const MODIFIER_COLUMNS = ['modifier_1', 'modifier_2', 'modifier_3', 'modifier_4'] as const;
export const DIAGNOSIS_COLUMNS = ['dx_1', 'dx_2', 'dx_3', 'dx_4'] as const;

const LISTS_AT = SCALAR_FIELDS.indexOf('procedure_code') + 1;
/** Scalar fields written before the list columns. */
export const FIELDS_BEFORE_LISTS: readonly ScalarField[] = SCALAR_FIELDS.slice(0, LISTS_AT);
/** Scalar fields written after the list columns. */
export const FIELDS_AFTER_LISTS: readonly ScalarField[] = SCALAR_FIELDS.slice(LISTS_AT);

export type StandardColumn =
  | ScalarField
  | (typeof MODIFIER_COLUMNS)[number]
  | (typeof DIAGNOSIS_COLUMNS)[number];

/** The 22 columns of the samples and the bench batches, in order. */
export const STANDARD_COLUMNS: readonly StandardColumn[] = [
  ...FIELDS_BEFORE_LISTS,
  ...MODIFIER_COLUMNS,
  ...DIAGNOSIS_COLUMNS,
  ...FIELDS_AFTER_LISTS,
];

export const STANDARD_HEADER_LINE: string = STANDARD_COLUMNS.join(',');
