/** The most data rows one Excel sheet holds (1,048,576 rows less the header). */
export const EXCEL_MAX_DATA_ROWS = 1_048_575;
