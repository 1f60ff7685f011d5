import type { INodeProperties } from 'n8n-workflow';

/**
 * Adds show conditions to some of `fields` (those `when` returns conditions for), keeping the ones
 * they have: n8n shows a field only when every condition of its `displayOptions.show` holds.
 */
export function alsoShowOnlyWhen(fields: INodeProperties[], when: (field: INodeProperties) => Record<string, Array<string | number | boolean>> | undefined): INodeProperties[] {
	return fields.map((field) => {
		const extra = when(field);
		if (extra === undefined) return field;
		return { ...field, displayOptions: { ...field.displayOptions, show: { ...field.displayOptions?.show, ...extra } } };
	});
}
